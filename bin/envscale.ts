#!/usr/bin/env node
// envscale's command line entry point (runs on the Node.js 24 pinned in devDependencies).
import { main } from "../apps/cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
