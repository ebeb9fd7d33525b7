// Where a command writes: the process's streams in use, captured streams in tests. Its own module so
// that the command files and the program that dispatches to them import it without importing each other.

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}
