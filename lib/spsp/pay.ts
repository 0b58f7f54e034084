/**
 * Payment pointer to STREAM in one call (IL-RFC 9 §Model of Operation): query the SPSP endpoint,
 * open a connection with what it returned, and for a payment send the amount on one stream and
 * end the connection. Named apart from `createConnection`/`connect` so both can be imported together.
 *
 * @example
 * ```ts
 * const { sent, delivered } = await payPaymentPointer({ paymentPointer: '$example.com/bob', plugin, amount: 1000n });
 * ```
 */
import { lastValueFrom } from 'rxjs';
import { createConnection } from '../client';
import type { Connection } from '../connection/connection';
import { type ConnectionTuning, resolveConnectionOptions } from '../connection/options';
import type { Plugin } from '../ilp';
import { type Amount, toU64 } from '../stream/amount';
import { SpspError, SpspPaymentError } from './errors';
import { MAX_TIMEOUT_MS, type SpspFetch, querySpsp } from './query';

/**
 * What {@link connectToPaymentPointer} needs: a pointer, a plugin, and optional tuning.
 *
 * @example
 * ```ts
 * const options: PaymentPointerConnectOptions = { paymentPointer: '$example.com/bob', plugin, slippage: 0.02 };
 * ```
 */
export interface PaymentPointerConnectOptions extends ConnectionTuning {
  /** `$example.com/alice`, or a raw `https:` SPSP endpoint URL. */
  paymentPointer: string;
  /** The plugin to send through; connected here if it is not yet. It stays connected afterwards. */
  plugin: Plugin;
  /** Tests and local development only: plain `http:` to a loopback host (see `resolvePaymentPointer`). */
  allowHttp?: boolean;
  /** The HTTP client for the SPSP query. Default: the global `fetch`. */
  fetch?: SpspFetch;
  /** Milliseconds for the SPSP query (not the payment). Default 10,000. */
  queryTimeoutMs?: number;
}

/**
 * What {@link payPaymentPointer} needs: the connect options and an amount.
 *
 * @example
 * ```ts
 * const options: PaymentPointerPayOptions = { paymentPointer: '$example.com/bob', plugin, amount: 5_000n };
 * ```
 */
export interface PaymentPointerPayOptions extends PaymentPointerConnectOptions {
  /** Source units to send, greater than zero. */
  amount: Amount;
}

/**
 * What a payment moved, in base units.
 *
 * @example
 * ```ts
 * const { sent, delivered }: PaymentTotals = await payPaymentPointer(options);
 * ```
 */
export interface PaymentTotals {
  /** Source units in fulfilled packets. */
  readonly sent: bigint;
  /** Destination units that arrived, as the receiver's authentic replies reported. */
  readonly delivered: bigint;
}

/**
 * Queries the payment pointer's SPSP endpoint and opens a STREAM connection with its answer; the
 * Promise counterpart of `createConnection` for payment pointers. Options are all checked before
 * any request. Rejects with an {@link SpspError} (bad option, failed query) or the
 * `ConnectionError` of a connection that did not open. To let the sender check the endpoint's host
 * (and where it redirected) before paying, as IL-RFC 26 §Security Considerations asks of sending
 * clients, call `querySpsp` and `createConnection` yourself instead.
 *
 * @example
 * ```ts
 * const connection = await connectToPaymentPointer({ paymentPointer: '$example.com/bob', plugin });
 * await lastValueFrom(connection.createStream().sendMoney(500));
 * await connection.end();
 * ```
 */
export async function connectToPaymentPointer(options: PaymentPointerConnectOptions): Promise<Connection> {
  checkConnectOptions(options);
  return open(options);
}

/**
 * Pays `amount` to a payment pointer: query, connect, send it all on one stream, end the
 * connection, and resolve with the connection's totals. Options are all checked before any
 * request (an {@link SpspError} `INVALID_ARGUMENT` names the bad one); a failed query rejects with
 * its `SpspError`. Once the query succeeded, failure rejects with an {@link SpspPaymentError}
 * carrying what was sent and delivered so far, after the connection was destroyed: nothing is
 * left open but the caller's plugin, which stays connected for reuse.
 *
 * @example
 * ```ts
 * const { sent, delivered } = await payPaymentPointer({ paymentPointer: '$example.com/bob', plugin, amount: 10_000n });
 * ```
 */
export async function payPaymentPointer(options: PaymentPointerPayOptions): Promise<PaymentTotals> {
  checkConnectOptions(options);
  const amount = checkAmount(options.amount);
  let connection: Connection;
  try {
    connection = await open(options);
  } catch (error) {
    if (error instanceof SpspError) throw error;
    throw new SpspPaymentError('CONNECT_FAILED', 0n, 0n, error);
  }
  try {
    await lastValueFrom(connection.createStream().sendMoney(amount), { defaultValue: undefined });
    await connection.end();
  } catch (error) {
    await connection.destroy(error instanceof Error ? error : new Error(String(error)));
    throw new SpspPaymentError('SEND_FAILED', connection.totals.sent, connection.totals.delivered, error);
  }
  const { sent, delivered } = connection.totals;
  return { sent, delivered };
}

async function open(options: PaymentPointerConnectOptions): Promise<Connection> {
  const { paymentPointer, allowHttp, fetch, queryTimeoutMs, ...tuning } = options;
  const { destinationAccount, sharedSecret } = await querySpsp(paymentPointer, {
    ...(allowHttp === undefined ? {} : { allowHttp }),
    ...(fetch === undefined ? {} : { fetch }),
    ...(queryTimeoutMs === undefined ? {} : { timeoutMs: queryTimeoutMs }),
  });
  return createConnection({ ...tuning, destinationAccount, sharedSecret });
}

/** Everything a later step would reject, checked up front so a bad option costs no secret. */
function checkConnectOptions(options: PaymentPointerConnectOptions): void {
  if (typeof options !== 'object' || options === null) throw new SpspError('INVALID_ARGUMENT', 'options', 'must be an object');
  if (typeof options.paymentPointer !== 'string') {
    throw new SpspError('INVALID_ARGUMENT', 'options.paymentPointer', `must be a string, got ${typeof options.paymentPointer}`);
  }
  if (!options.plugin || typeof options.plugin.sendData !== 'function') {
    throw new SpspError('INVALID_ARGUMENT', 'options.plugin', 'must be an ILP plugin');
  }
  if (options.allowHttp !== undefined && typeof options.allowHttp !== 'boolean') {
    throw new SpspError('INVALID_ARGUMENT', 'options.allowHttp', `must be a boolean, got ${typeof options.allowHttp}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new SpspError('INVALID_ARGUMENT', 'options.fetch', 'must be a function');
  }
  const timeout = options.queryTimeoutMs;
  if (timeout !== undefined && (!Number.isSafeInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS)) {
    throw new SpspError('INVALID_ARGUMENT', 'options.queryTimeoutMs', `must be an integer from 1 to ${MAX_TIMEOUT_MS}, got ${String(timeout)}`);
  }
  try {
    resolveConnectionOptions(options);
  } catch (error) {
    // The tuning checks name the option first in their message ("window must be ...").
    const name = error instanceof Error ? /^([A-Za-z]+) /.exec(error.message)?.[1] : undefined;
    throw new SpspError('INVALID_ARGUMENT', name ? `options.${name}` : 'options', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function checkAmount(amount: Amount): bigint {
  let units: bigint;
  try {
    units = toU64(amount, 'amount');
  } catch (error) {
    throw new SpspError('INVALID_ARGUMENT', 'options.amount', error instanceof Error ? error.message.replace(/^amount /, '') : String(error), { cause: error });
  }
  if (units === 0n) throw new SpspError('INVALID_ARGUMENT', 'options.amount', 'must be greater than 0');
  return units;
}
