/**
 * Server address tokens and per-connection shared secrets, byte-compatible with
 * ilp-protocol-stream 2.7.1, so a service can switch implementations keeping its server secret and
 * the credentials it has already handed out.
 *
 * ```text
 * plaintext    = nonce(18) ‖ VarOctetString(connectionTag, ASCII) ‖ VarOctetString(receiptNonce: 0|16)
 *                ‖ VarOctetString(receiptSecret: 0|32)
 * token        = AES-256-GCM envelope of plaintext under the raw 32-byte server secret (iv ‖ tag ‖ ct)
 * segment      = base64url(token) without padding     (the address is serverAddress + "." + segment)
 * sharedSecret = HMAC(HMAC(serverSecret, "ilp_stream_shared_secret"), token)
 * ```
 *
 * @example
 * ```ts
 * const tokens = deriveConnectionTokenKeys(serverSecret);
 * const { token, sharedSecret } = tokens.create({ connectionTag: 'order-42' });
 * tokens.open(token)?.connectionTag // 'order-42'
 * ```
 */
import { backend } from './active-backend';
import type { SecretKey } from './backend';
import { ENCRYPTION_OVERHEAD, openEnvelope, sealEnvelope } from './envelope';
import { CryptoInputError } from './errors';
import { hmacUnchecked } from './hash';
import { describe, isBytes, requireBytes } from './validate';
import { readVarOctetString, varOctetStringSize, writeVarOctetString } from './var-octet-string';
import {
  CONNECTION_TAG_PATTERN,
  MAX_CONNECTION_TAG_LENGTH,
  MAX_TOKEN_SEGMENT_LENGTH,
  RECEIPT_NONCE_LENGTH,
  RECEIPT_SECRET_LENGTH,
  SERVER_SECRET_LENGTH,
  TOKEN_NONCE_LENGTH,
} from './connection-token-limits';

/**
 * What a token can carry besides its random nonce.
 *
 * @example
 * ```ts
 * const options: ConnectionTokenOptions = { connectionTag: 'invoice-17', receiptNonce, receiptSecret };
 * ```
 */
export interface ConnectionTokenOptions {
  /**
   * Identifies the connection to the server application; it travels encrypted inside the token.
   * 1 to {@link MAX_CONNECTION_TAG_LENGTH} characters that can go into an ILP address
   * (`A-Z a-z 0-9 . _ ~ -`), the rule ilp-protocol-stream documents.
   */
  readonly connectionTag?: string;
  /** 16-byte receipt nonce (RFC 39). Give both receipt fields or neither. */
  readonly receiptNonce?: Uint8Array;
  /** 32-byte receipt secret (RFC 39). Give both receipt fields or neither. */
  readonly receiptSecret?: Uint8Array;
}

/**
 * A freshly minted token (the address segment) and the shared secret that goes with it.
 *
 * @example
 * ```ts
 * const { token, sharedSecret }: ConnectionCredentials = tokens.create();
 * ```
 */
export interface ConnectionCredentials {
  /** base64url without padding; append it to the server address after a `.`. */
  readonly token: string;
  /** 32-byte STREAM shared secret for this token. */
  readonly sharedSecret: Buffer;
}

/**
 * What an authentic token carries, plus the shared secret derived from it.
 *
 * @example
 * ```ts
 * const opened: ConnectionTokenContents | undefined = tokens.open(segment);
 * ```
 */
export interface ConnectionTokenContents {
  readonly connectionTag?: string;
  readonly receiptNonce?: Buffer;
  readonly receiptSecret?: Buffer;
  readonly sharedSecret: Buffer;
}

/**
 * Token operations for one server secret, with its keys prepared once. A server keeps one of
 * these rather than calling the free functions, which set the keys up on every call.
 *
 * @example
 * ```ts
 * const tokens: ConnectionTokenKeys = deriveConnectionTokenKeys(serverSecret);
 * const keys = deriveKeys(tokens.open(segment)?.sharedSecret ?? reject());
 * ```
 */
export interface ConnectionTokenKeys {
  /** Mints a token. Throws `CryptoInputError` for bad options. */
  create(options?: ConnectionTokenOptions): ConnectionCredentials;
  /** Opens a token (base64url or base64, padded or not); `undefined` for anything inauthentic or malformed. Never throws. */
  open(token: string): ConnectionTokenContents | undefined;
  /** The shared secret for a token string or its decoded bytes. Derives only: it does not authenticate the token. */
  sharedSecret(token: string | Uint8Array): Buffer;
}

const SHARED_SECRET_STRING = Buffer.from('ilp_stream_shared_secret', 'ascii');
/** The base64 and base64url alphabets, optional padding. Node's decoder would also skip other characters; a real address segment never has them. */
const TOKEN_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const EMPTY = Buffer.alloc(0);

/**
 * Prepares token keys for `serverSecret`, which must be 32 bytes (it is the AES-256 key of the
 * token). Throws `CryptoInputError` otherwise.
 *
 * @example
 * ```ts
 * const tokens = deriveConnectionTokenKeys(randomBytes(32));
 * ```
 */
export function deriveConnectionTokenKeys(serverSecret: Uint8Array): ConnectionTokenKeys {
  requireBytes('serverSecret', serverSecret, { length: SERVER_SECRET_LENGTH });
  const tokenKey = backend.importKey(serverSecret);
  const generatorBytes = hmacUnchecked(serverSecret, SHARED_SECRET_STRING);
  const sharedSecretKey = backend.importKey(generatorBytes);
  generatorBytes.fill(0);

  return Object.freeze({
    create: (options?: ConnectionTokenOptions) => mint(tokenKey, sharedSecretKey, options),
    open: (token: string) => open(tokenKey, sharedSecretKey, token),
    sharedSecret: (token: string | Uint8Array) => hmacUnchecked(sharedSecretKey, tokenBytesArgument(token)),
  });
}

/**
 * Mints a connection token and its shared secret, as ilp-protocol-stream's
 * `Server#generateAddressAndSecret` does.
 *
 * @example
 * ```ts
 * const { token, sharedSecret } = createConnectionToken(serverSecret, { connectionTag: 'user-7' });
 * const destinationAccount = `${serverAddress}.${token}`;
 * ```
 */
export function createConnectionToken(serverSecret: Uint8Array, options?: ConnectionTokenOptions): ConnectionCredentials {
  return deriveConnectionTokenKeys(serverSecret).create(options);
}

/**
 * Authenticates and opens a token, or returns `undefined` for anything inauthentic or malformed
 * (it never throws for a bad token; it throws `CryptoInputError` only for a bad `serverSecret`).
 * Accepts base64url and standard base64, padded or not, like the reference's `Buffer.from(t, 'base64')`.
 * As in the reference, an empty tag reads as no tag, the tag is decoded as ASCII, and bytes after
 * the receipt secret are ignored.
 *
 * @example
 * ```ts
 * const opened = openConnectionToken(serverSecret, address.slice(serverAddress.length + 1).split('.')[0]);
 * if (opened === undefined) return reject('F02');
 * ```
 */
export function openConnectionToken(serverSecret: Uint8Array, token: string): ConnectionTokenContents | undefined {
  return deriveConnectionTokenKeys(serverSecret).open(token);
}

/**
 * `HMAC(HMAC(serverSecret, "ilp_stream_shared_secret"), tokenBytes)`. `token` is the address
 * segment (base64/base64url) or its decoded bytes. This derives without authenticating; use
 * {@link openConnectionToken} to check that the token is one of yours.
 *
 * @example
 * ```ts
 * const secret = sharedSecretFromToken(serverSecret, token);
 * ```
 */
export function sharedSecretFromToken(serverSecret: Uint8Array, token: string | Uint8Array): Buffer {
  return deriveConnectionTokenKeys(serverSecret).sharedSecret(token);
}

/**
 * The one spelling of a token segment: base64url without padding of the bytes it decodes to, or
 * `undefined` if it is not base64 or carries no bytes. Decoders accept both alphabets, padding,
 * any value in the unused low bits of the last character and a dangling last character, so many
 * strings carry the same token; a server keys its connections by this. Does not authenticate.
 *
 * @example
 * ```ts
 * canonicalTokenSegment('ab+/Ag=='); // 'ab-_Ag'
 * canonicalTokenSegment('ab-_Ah');   // 'ab-_Ag' (the same bytes)
 * ```
 */
export function canonicalTokenSegment(token: string): string | undefined {
  if (token.length > MAX_TOKEN_SEGMENT_LENGTH || !TOKEN_PATTERN.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64');
  return bytes.length === 0 ? undefined : bytes.toString('base64url');
}

function mint(tokenKey: SecretKey, sharedSecretKey: SecretKey, options: ConnectionTokenOptions | undefined): ConnectionCredentials {
  const { tag, receiptNonce, receiptSecret } = validateOptions(options);
  const plaintext = Buffer.allocUnsafe(
    TOKEN_NONCE_LENGTH + varOctetStringSize(tag.length) + varOctetStringSize(receiptNonce.length) + varOctetStringSize(receiptSecret.length),
  );
  backend.randomFill(plaintext, 0, TOKEN_NONCE_LENGTH);
  let cursor = writeVarOctetString(plaintext, TOKEN_NONCE_LENGTH, tag);
  cursor = writeVarOctetString(plaintext, cursor, receiptNonce);
  writeVarOctetString(plaintext, cursor, receiptSecret);
  const token = sealEnvelope(tokenKey, plaintext);
  plaintext.fill(0); // it held the receipt secret
  return { token: token.toString('base64url'), sharedSecret: hmacUnchecked(sharedSecretKey, token) };
}

function open(tokenKey: SecretKey, sharedSecretKey: SecretKey, token: string): ConnectionTokenContents | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_SEGMENT_LENGTH || !TOKEN_PATTERN.test(token)) return undefined;
  const tokenBytes = Buffer.from(token, 'base64');
  if (tokenBytes.length < ENCRYPTION_OVERHEAD + TOKEN_NONCE_LENGTH) return undefined;
  let plaintext: Buffer;
  try {
    plaintext = openEnvelope(tokenKey, tokenBytes);
  } catch {
    return undefined;
  }
  const tag = readVarOctetString(plaintext, TOKEN_NONCE_LENGTH);
  const nonce = tag && readVarOctetString(plaintext, tag.next);
  const secret = nonce && readVarOctetString(plaintext, nonce.next);
  if (tag === undefined || nonce === undefined || secret === undefined) return undefined;
  if (nonce.value.length !== 0 && nonce.value.length !== RECEIPT_NONCE_LENGTH) return undefined;
  if (secret.value.length !== 0 && secret.value.length !== RECEIPT_SECRET_LENGTH) return undefined;

  const contents: {
    connectionTag?: string;
    receiptNonce?: Buffer;
    receiptSecret?: Buffer;
    sharedSecret: Buffer;
  } = { sharedSecret: hmacUnchecked(sharedSecretKey, tokenBytes) };
  // 'ascii' decoding clears the high bit, exactly as the reference reads the tag.
  if (tag.value.length > 0) contents.connectionTag = tag.value.toString('ascii');
  if (nonce.value.length > 0) contents.receiptNonce = Buffer.from(nonce.value);
  if (secret.value.length > 0) contents.receiptSecret = Buffer.from(secret.value);
  plaintext.fill(0);
  return contents;
}

function validateOptions(options: ConnectionTokenOptions | undefined): { tag: Buffer; receiptNonce: Uint8Array; receiptSecret: Uint8Array } {
  if (options === undefined) return { tag: EMPTY, receiptNonce: EMPTY, receiptSecret: EMPTY };
  if (typeof options !== 'object' || options === null) {
    throw new CryptoInputError('INVALID_TYPE', 'options', `must be an object, got ${describe(options)}`);
  }
  const { connectionTag, receiptNonce, receiptSecret } = options;
  if ((receiptNonce === undefined) !== (receiptSecret === undefined)) {
    throw new CryptoInputError(
      'INVALID_VALUE',
      receiptNonce === undefined ? 'options.receiptNonce' : 'options.receiptSecret',
      'is missing: receiptNonce and receiptSecret must be given together',
    );
  }
  return {
    tag: connectionTag === undefined ? EMPTY : validateTag(connectionTag),
    receiptNonce: receiptNonce === undefined ? EMPTY : requireBytes('options.receiptNonce', receiptNonce, { length: RECEIPT_NONCE_LENGTH }),
    receiptSecret:
      receiptSecret === undefined ? EMPTY : requireBytes('options.receiptSecret', receiptSecret, { length: RECEIPT_SECRET_LENGTH }),
  };
}

function validateTag(connectionTag: unknown): Buffer {
  if (typeof connectionTag !== 'string') {
    throw new CryptoInputError('INVALID_TYPE', 'options.connectionTag', `must be a string, got ${describe(connectionTag)}`);
  }
  if (connectionTag.length === 0 || connectionTag.length > MAX_CONNECTION_TAG_LENGTH) {
    throw new CryptoInputError(
      'INVALID_LENGTH',
      'options.connectionTag',
      `must be 1 to ${MAX_CONNECTION_TAG_LENGTH} characters, got ${connectionTag.length}` +
        (connectionTag.length === 0 ? ' (an empty tag reads back as no tag: omit it instead)' : ''),
    );
  }
  if (!CONNECTION_TAG_PATTERN.test(connectionTag)) {
    throw new CryptoInputError(
      'INVALID_VALUE',
      'options.connectionTag',
      'may only contain characters that can go into an ILP address: A-Z a-z 0-9 . _ ~ -',
    );
  }
  return Buffer.from(connectionTag, 'ascii');
}

function tokenBytesArgument(token: string | Uint8Array): Uint8Array {
  if (isBytes(token)) return token;
  if (typeof token !== 'string') {
    throw new CryptoInputError('INVALID_TYPE', 'token', `must be a string or a Uint8Array, got ${describe(token)}`);
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new CryptoInputError('INVALID_VALUE', 'token', 'must be base64url or base64 text');
  }
  return Buffer.from(token, 'base64');
}
