export {
  SearchAttribute,
  searchAttributeTypes,
  ServiceName,
  StackConfigError,
  defaultNatsUrl,
  defaultPorts,
  goModules,
  parseStackConfig,
  stackVariablesSchema,
  stackEnvSchema,
  type NatsPlan,
  type StackConfig,
  type StackEnv,
} from './config';
export {
  ServiceState,
  down,
  loadStackEnv,
  stackPaths,
  stackRoot,
  startService,
  status,
  stopService,
  up,
  type ServiceStatus,
  type StackOptions,
  type StackStatus,
} from './stack';
export { ensureBinaries, findNatsServer, BinaryError } from './binaries';
export { stackVariableDocs } from './variables';
