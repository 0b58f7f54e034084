/**
 * Small helpers for the network specs.
 */
import type { Subscription } from 'rxjs';
import {
  deserializeIlpReply,
  type IlpPrepare,
  type IlpReply,
  incomingPrepares,
  type Plugin,
  serializeIlpPrepare,
} from '../../lib/ilp';
import { createMemoryNetwork, type MemoryNetwork, type MemoryNetworkOptions } from '../../lib/network';

export function prepareTo(destination: string, amount = 10n, expiresAt = new Date(Date.now() + 30_000)): IlpPrepare {
  return { amount, expiresAt, executionCondition: Buffer.alloc(32, 5), destination, data: Buffer.from('end-to-end data') };
}

export async function connectedNetwork(options: MemoryNetworkOptions = {}): Promise<MemoryNetwork> {
  const network = createMemoryNetwork(options);
  await network.client.connect();
  await network.server.connect();
  return network;
}

/** Answers every Prepare `plugin` receives with `answer(prepare)`, recording the Prepares. */
export function answerWith(plugin: Plugin, answer: (prepare: IlpPrepare) => IlpReply, seen: IlpPrepare[] = []): Subscription {
  return incomingPrepares(plugin).subscribe(({ prepare, respond }) => {
    seen.push(prepare);
    respond(answer(prepare));
  });
}

/** Sends through the plugin's raw sendData and decodes the reply. */
export async function send(plugin: Plugin, prepare: IlpPrepare | Buffer): Promise<IlpReply> {
  const bytes = Buffer.isBuffer(prepare) ? prepare : serializeIlpPrepare(prepare);
  return deserializeIlpReply(await plugin.sendData(bytes));
}
