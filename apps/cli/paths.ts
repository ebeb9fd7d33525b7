// Where envscale's own files are, wherever it is run from.
import { join, resolve } from "node:path";

export const packageRoot = resolve(import.meta.dirname, "..", "..");
export const builtinPluginsDir = join(packageRoot, "plugins");
export const exampleCatalogDir = join(packageRoot, "examples", "catalog");
