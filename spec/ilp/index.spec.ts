import * as ilp from '../../lib/ilp';

describe('lib/ilp barrel', () => {
  it('exports the ILP layer API', () => {
    const expected = [
      'IlpErrorCode', 'IldcpError', 'IlpArgumentError', 'IlpPacketError', 'IlpPluginError', 'ILDCP_DESTINATION',
      'ILDCP_ERROR_CODES', 'ILP_PACKET_ERROR_CODES', 'ILP_PLUGIN_ERROR_CODES',
      'MAX_ILP_DATA_LENGTH', 'MAX_ILP_MESSAGE_LENGTH',
      'connectPlugin', 'decodeIldcpInfo', 'deserializeIlpFulfill', 'deserializeIlpPrepare',
      'deserializeIlpReject', 'deserializeIlpReply', 'encodeIldcpInfo', 'fetchIldcp', 'ilpReject', 'ildcpRequest',
      'ildcpResponse', 'incomingPrepares', 'isFinal', 'isIldcpError', 'isIldcpFulfillment', 'isIldcpRequest',
      'isIlpArgumentError', 'isIlpPacketError', 'isIlpPluginError', 'isObservablePlugin', 'isRelative', 'isTemporary', 'readF08Data',
      'rejectF00', 'rejectF01', 'rejectF02', 'rejectF06', 'rejectF08', 'rejectF99', 'rejectR00', 'rejectT00', 'rejectT01',
      'sendPrepare', 'serializeIlpFulfill', 'serializeIlpPrepare', 'serializeIlpReject', 'serializeIlpReply',
      'withPrepareAmount', 'writeF08Data',
    ];
    expect(Object.keys(ilp).sort()).toEqual(expected.sort());
  });

  it('states the RFC 27 field limits', () => {
    expect([ilp.MAX_ILP_DATA_LENGTH, ilp.MAX_ILP_MESSAGE_LENGTH]).toEqual([32767, 8191]);
  });
});
