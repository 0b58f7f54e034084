/**
 * The child process of `spawnConnector` (spec/helpers/ilp-connector.ts): runs one ilp-connector,
 * configured over the IPC channel, so that a test can SIGKILL it mid-payment and start it again.
 * Started as `node -r ts-node/register/transpile-only spec/helpers/connector-process.ts` by
 * `child_process.fork`; it does nothing without a parent.
 *
 * @example
 * ```ts
 * const connector = await spawnConnector(spec); // forks this file
 * ```
 */
import { runConnectorProcess } from './ilp-connector';

runConnectorProcess();
