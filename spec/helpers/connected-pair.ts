/**
 * Test helper: a server and a client connected over the in-memory network, with the server-side
 * connection captured as soon as it exists.
 */
import { firstValueFrom, take } from 'rxjs';
import {
  type Connection,
  type ConnectionTuning,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type Server,
  createConnection,
  createMemoryNetwork,
  createServer,
} from '../../lib';

export interface ConnectedPair {
  network: MemoryNetwork;
  server: Server;
  client: Connection;
  serverConnection: Connection;
  close(): Promise<void>;
}

export async function connectedPair(
  networkOptions: MemoryNetworkOptions = {},
  tuning: { client?: ConnectionTuning; server?: ConnectionTuning; onServerConnection?: (c: Connection) => void } = {},
): Promise<ConnectedPair> {
  const network = createMemoryNetwork(networkOptions);
  const server = await createServer({ plugin: network.server, ...tuning.server });
  const serverConnection = firstValueFrom(server.connections$.pipe(take(1)));
  if (tuning.onServerConnection) server.connections$.subscribe(tuning.onServerConnection);
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const client = await createConnection({ plugin: network.client, destinationAccount, sharedSecret, ...tuning.client });
  return {
    network,
    server,
    client,
    serverConnection: await serverConnection,
    async close() {
      await client.end();
      await server.close();
    },
  };
}
