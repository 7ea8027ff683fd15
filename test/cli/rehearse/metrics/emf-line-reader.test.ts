import { formatEmfLine } from '../../../../gate/proxy/emf-line-writer';
import { GATE_NAMESPACE } from '../../../../contracts/metrics/gate-metrics';
import { parseEmfLine } from '../../../../cli/rehearse/metrics/emf-line-reader';
import { listeningUrl } from '../../../../cli/rehearse/fleet/process-fleet';

describe('parseEmfLine', () => {
  it('reads back what the gate writes', () => {
    const line = formatEmfLine({
      namespace: GATE_NAMESPACE,
      timestampMs: 1_700_000_000_123,
      dimensions: { Sale: 'winter-flash', PriorityClass: 'critical' },
      metrics: [
        { name: 'Requests', unit: 'Count', value: 12 },
        { name: 'LatencyP99', unit: 'Milliseconds', value: 88 },
      ],
      properties: { gateId: 'gate-1' },
    });
    expect(parseEmfLine(line)).toEqual({
      timestamp: 1_700_000_000_123,
      namespace: GATE_NAMESPACE,
      dimensions: { Sale: 'winter-flash', PriorityClass: 'critical' },
      values: { Requests: 12, LatencyP99: 88 },
    });
  });

  it('sums EMF value arrays', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 5,
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['Sale']], Metrics: [{ Name: 'Shed' }] }],
      },
      Sale: 's',
      Shed: [1, 2, 3],
    });
    expect(parseEmfLine(line)!.values).toEqual({ Shed: 6 });
  });

  it.each([
    '{"event":"listening","url":"http://127.0.0.1:1"}',
    'not json',
    '{"_aws": broken',
    '{"_aws":{"Timestamp":"x"}}',
    '',
  ])('ignores %j', (line) => {
    expect(parseEmfLine(line)).toBeUndefined();
  });
});

describe('listeningUrl', () => {
  it('finds the URL of the ready line and nothing else', () => {
    expect(listeningUrl('{"event":"listening","url":"http://127.0.0.1:4000","store":"redis"}')).toBe(
      'http://127.0.0.1:4000',
    );
    expect(listeningUrl('{"event":"draining"}')).toBeUndefined();
    expect(listeningUrl('{"listening": broken')).toBeUndefined();
  });
});
