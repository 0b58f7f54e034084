/**
 * The ILP layer: the plugin contract, ILPv4 packets and their codecs, reject codes and builders,
 * sending a Prepare, receiving Prepares, and IL-DCP.
 *
 * @example
 * ```ts
 * import { sendPrepare, incomingPrepares, fetchIldcp } from './ilp';
 * ```
 */
export {
  ILDCP_ERROR_CODES,
  ILP_PACKET_ERROR_CODES,
  ILP_PLUGIN_ERROR_CODES,
  IldcpError,
  type IldcpErrorCode,
  IlpArgumentError,
  IlpPacketError,
  type IlpPacketErrorCode,
  IlpPluginError,
  type IlpPluginErrorCode,
  isIldcpError,
  isIlpArgumentError,
  isIlpPacketError,
  isIlpPluginError,
} from './errors';
export { type F08Data, readF08Data, writeF08Data } from './f08-data';
export { fetchIldcp, type FetchIldcpOptions } from './fetch-ildcp';
export {
  decodeIldcpInfo,
  encodeIldcpInfo,
  ILDCP_DESTINATION,
  type IldcpInfo,
  ildcpRequest,
  ildcpResponse,
  isIldcpFulfillment,
  isIldcpRequest,
} from './ildcp';
export { type IncomingPrepare, incomingPrepares } from './incoming-prepares';
export type { IlpFulfill, IlpFulfillReply, IlpPrepare, IlpReject, IlpRejectReply, IlpReply } from './packets';
export { isObservablePlugin, type ObservableDataHandler, type ObservablePlugin } from './observable-plugin';
export type { DataHandler, Plugin } from './plugin';
export { deserializeIlpPrepare, serializeIlpPrepare, withPrepareAmount } from './prepare-codec';
export { IlpErrorCode, isFinal, isRelative, isTemporary } from './reject-codes';
export {
  ilpReject,
  rejectF00,
  rejectF01,
  rejectF02,
  rejectF06,
  rejectF08,
  rejectF99,
  rejectR00,
  rejectT00,
  rejectT01,
} from './rejects';
export {
  deserializeIlpFulfill,
  deserializeIlpReject,
  deserializeIlpReply,
  serializeIlpFulfill,
  serializeIlpReject,
  serializeIlpReply,
} from './reply-codec';
export { sendPrepare, type SendPrepareOptions } from './send-prepare';
export { MAX_ILP_DATA_LENGTH, MAX_ILP_MESSAGE_LENGTH } from './validate';
export { connectPlugin } from './connect-plugin';
