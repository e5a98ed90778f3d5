export * from './report';
export { collectReportData } from './report/collect';
export { run, buildProgram, type Io } from './program';
export { ExitCode, CliError } from './errors';
export { cliEnvSchema, cliVariableDocs } from './env';
export { resultJson, type JsonResult, type JsonLeaderboardRow } from './output';
