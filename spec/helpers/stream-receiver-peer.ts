/**
 * Test and benchmark helper: @interledger/stream-receiver 0.2.2 (a stateless STREAM receiver, no
 * connection objects) answering the Prepares that reach one plugin of the in-memory network, with
 * the money it credits counted here, since stream-receiver keeps no totals of its own.
 *
 * IL-DCP keeps working: the memory network's connector answers `peer.config` itself, for either
 * end, before it routes anything (lib/network/connector.ts), so IL-DCP requests never reach this
 * data handler and the receiver learns its own base address over IL-DCP like any server.
 *
 * @example
 * ```ts
 * const network = createMemoryNetwork({ maxPacketAmount: 1000 });
 * const peer = await startStreamReceiver(network.server);
 * const connection = await createConnection({ plugin: network.client, ...peer.credentials() });
 * await connection.createStream().sendTotal(10_000);
 * peer.credited; // 10_000n
 * ```
 */
import { randomBytes } from 'node:crypto';
import { StreamServer } from '@interledger/stream-receiver';
import {
  type IlpPrepare as PacketPrepare,
  type IlpReply as PacketReply,
  IlpError,
  deserializeIlpPrepare,
  isFulfill,
  isIlpReply,
  serializeIlpReject,
  serializeIlpReply,
} from 'ilp-packet';
import { firstValueFrom } from 'rxjs';
import { ILDCP_DESTINATION, type MemoryPlugin, fetchIldcp } from '../../lib';

/** What the receiving application does with a Prepare that stream-receiver found fulfillable. */
export type MoneyDecision = 'accept' | 'temporaryDecline' | 'finalDecline';

/** Options of {@link startStreamReceiver}. */
export interface StreamReceiverPeerOptions {
  /**
   * Called for every Prepare that carries money stream-receiver would fulfill; `index` counts them
   * from 1. `temporaryDecline` answers T00, `finalDecline` F99 with ConnectionClose. Default: accept.
   */
  decide?: (index: number, amount: bigint) => MoneyDecision;
  /** Keep every Prepare and its reply in {@link StreamReceiverPeer.exchanges}. Off for benchmarks. */
  record?: boolean;
}

/** One Prepare that reached the receiver and what it answered, both as ilp-packet decodes them. */
export interface Exchange {
  readonly prepare: PacketPrepare;
  readonly reply: PacketReply;
}

/** The running receiver. Counters are live. */
export interface StreamReceiverPeer {
  /** The stream-receiver instance, e.g. to mint credentials with other details. */
  readonly receiver: StreamServer;
  /** Its base address, as IL-DCP reported it for the plugin's end. */
  readonly serverAddress: string;
  /**
   * Mints credentials in the shape `createConnection` takes. The asset defaults to the plugin end's
   * IL-DCP asset, since @interledger/pay cannot quote without ConnectionAssetDetails; `null`
   * mints credentials without one (then stream-receiver never sends ConnectionAssetDetails).
   */
  credentials(asset?: { code: string; scale: number } | null): { destinationAccount: string; sharedSecret: Buffer };
  /** Destination units in the money Prepares this receiver fulfilled: what it credited. */
  readonly credited: bigint;
  /** Money Prepares it fulfilled. */
  readonly moneyFulfills: number;
  /** Prepares for 0 it fulfilled (stream-receiver fulfills those without asking the application). */
  readonly zeroFulfills: number;
  /** Reject codes it answered, in order. */
  readonly rejectCodes: readonly string[];
  /** Every exchange, in arrival order, if `record` was set. */
  readonly exchanges: readonly Exchange[];
  /** Stops answering and disconnects the plugin. */
  close(): Promise<void>;
}

/**
 * Connects `plugin`, learns its address over IL-DCP, and answers every Prepare that reaches it
 * with @interledger/stream-receiver, counting what it credits.
 *
 * @param plugin - the end of the in-memory network the receiver sits behind
 * @param options - see {@link StreamReceiverPeerOptions}
 *
 * @example
 * ```ts
 * const peer = await startStreamReceiver(network.server, { decide: (i) => (i === 3 ? 'temporaryDecline' : 'accept') });
 * ```
 */
export async function startStreamReceiver(plugin: MemoryPlugin, options: StreamReceiverPeerOptions = {}): Promise<StreamReceiverPeer> {
  await plugin.connect();
  const ildcp = await firstValueFrom(fetchIldcp(plugin));
  const receiver = new StreamServer({ serverSecret: randomBytes(32), serverAddress: ildcp.clientAddress });
  const decide = options.decide ?? (() => 'accept');
  const exchanges: Exchange[] = [];
  const rejectCodes: string[] = [];
  let credited = 0n;
  let moneyFulfills = 0;
  let moneyPackets = 0;
  let zeroFulfills = 0;

  const answer = (prepare: PacketPrepare): PacketReply => {
    const moneyOrReply = receiver.createReply(prepare);
    if (isIlpReply(moneyOrReply)) {
      if (isFulfill(moneyOrReply)) zeroFulfills += 1;
      return moneyOrReply;
    }
    const amount = BigInt(prepare.amount);
    const decision = decide(++moneyPackets, amount);
    if (decision === 'temporaryDecline') return moneyOrReply.temporaryDecline();
    if (decision === 'finalDecline') return moneyOrReply.finalDecline();
    // Credited before the Fulfill leaves, as a wallet books it: the sender may count it from then on.
    credited += amount;
    moneyFulfills += 1;
    return moneyOrReply.accept();
  };

  plugin.registerDataHandler(async (data) => {
    const prepare = deserializeIlpPrepare(data);
    // Only reachable over a network that forwards peer.config; stream-receiver must not see it.
    if (prepare.destination === ILDCP_DESTINATION) {
      rejectCodes.push(IlpError.F02_UNREACHABLE);
      return serializeIlpReject({ code: IlpError.F02_UNREACHABLE, message: 'not an IL-DCP parent', triggeredBy: ildcp.clientAddress, data: Buffer.alloc(0) });
    }
    const reply = answer(prepare);
    if (!isFulfill(reply)) rejectCodes.push(reply.code);
    if (options.record) exchanges.push({ prepare, reply });
    return serializeIlpReply(reply);
  });

  return {
    receiver,
    serverAddress: ildcp.clientAddress,
    credentials(asset) {
      const chosen = asset === undefined ? { code: ildcp.assetCode, scale: ildcp.assetScale } : asset;
      const { ilpAddress, sharedSecret } = receiver.generateCredentials(chosen === null ? {} : { asset: chosen });
      return { destinationAccount: ilpAddress, sharedSecret };
    },
    get credited() {
      return credited;
    },
    get moneyFulfills() {
      return moneyFulfills;
    },
    get zeroFulfills() {
      return zeroFulfills;
    },
    rejectCodes,
    exchanges,
    async close() {
      plugin.deregisterDataHandler();
      await plugin.disconnect();
    },
  };
}
