import * as network from '../../lib/network';

describe('lib/network barrel', () => {
  it('exports the in-memory and BTP network API, and fault injection', () => {
    expect(Object.keys(network).sort()).toEqual(
      [
        'BtpNetworkError', 'DEFAULT_CLIENT_END', 'DEFAULT_CONNECTOR_ADDRESS', 'DEFAULT_SERVER_END', 'MemoryNetworkError',
        'BTP_NETWORK_ERROR_CODES', 'MEMORY_NETWORK_ERROR_CODES',
        'MemoryPlugin', 'createBtpNetwork', 'createMemoryNetwork', 'createPluginPair', 'isBtpNetworkError',
        'isMemoryNetworkError', 'parseExchangeRate',
        // fault injection (lib/network/faults)
        'FaultLedger', 'FaultStage', 'FaultyPlugin', 'composeFaults', 'corruptFulfillData', 'disconnect', 'dropPrepare',
        'dropReply', 'duplicatePrepare', 'expiryReject', 'faultWhen', 'garbageRejectData', 'jitter', 'maxPacketAmountSchedule',
        'rateMoves', 'recordFault', 'rejectBurst', 'seededRandom', 'skim', 'stopAnswering', 'withFaults',
      ].sort(),
    );
  });

  it('documents its defaults as values', () => {
    expect([network.DEFAULT_CLIENT_END, network.DEFAULT_SERVER_END, network.DEFAULT_CONNECTOR_ADDRESS]).toEqual([
      { address: 'test.memory.client', assetCode: 'XRP', assetScale: 9 },
      { address: 'test.memory.server', assetCode: 'XRP', assetScale: 9 },
      'test.memory',
    ]);
  });
});
