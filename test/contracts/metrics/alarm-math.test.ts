import {
  evaluateRatio,
  isRatioAlarmMetric,
  RATIO_ALARM_MATH,
  ratioMetricMath,
  type AlarmCount,
  type RatioAlarmMath,
} from '../../../contracts/metrics/alarm-math';

const FIVE_XX = RATIO_ALARM_MATH['alb-5xx-rate'];
/** The 5xx formula before deliberate refusals were excused: every target 5xx counted. */
const OLD_FIVE_XX: RatioAlarmMath = {
  failures: ['target5xx', 'elb5xx'],
  excused: [],
  over: 'albRequests',
  clampAtZero: false,
};

const ALB_IDS: Partial<Record<AlarmCount, string[]>> = {
  target5xx: ['target5xx'],
  elb5xx: ['elb5xx'],
  albRequests: ['requests'],
  deliberateRefusals: ['deliberate'],
};

describe('evaluateRatio', () => {
  it('leaves the refusals the controller ordered out of the 5xx rate', () => {
    // A level that sheds classes without a fallback: 600 of 1000 answers are the gates' own 503s.
    const sums = { target5xx: 600, elb5xx: 0, albRequests: 1000, deliberateRefusals: 600 };
    expect(evaluateRatio(OLD_FIVE_XX, sums)).toBe(0.6);
    expect(evaluateRatio(FIVE_XX, sums)).toBe(0);
  });

  it('still counts real 5xx next to deliberate refusals', () => {
    expect(
      evaluateRatio(FIVE_XX, { target5xx: 650, elb5xx: 30, albRequests: 1000, deliberateRefusals: 600 }),
    ).toBeCloseTo(0.08);
    expect(evaluateRatio(FIVE_XX, { target5xx: 100, albRequests: 1000 })).toBe(0.1); // no refusals published at all
  });

  it('never goes below 0 when a period holds more refusals than target 5xx', () => {
    expect(evaluateRatio(FIVE_XX, { target5xx: 10, albRequests: 100, deliberateRefusals: 40 })).toBe(0);
  });

  it('has no datapoint without requests', () => {
    expect(evaluateRatio(FIVE_XX, { target5xx: 3, deliberateRefusals: 1 })).toBeUndefined();
    expect(evaluateRatio(FIVE_XX, { target5xx: 3, albRequests: 0 })).toBeUndefined();
  });

  it('computes the gate ratios the same way', () => {
    expect(evaluateRatio(RATIO_ALARM_MATH['gate-shed-rate'], { gateShed: 5, gateRequests: 50 })).toBe(0.1);
    expect(
      evaluateRatio(RATIO_ALARM_MATH['gate-dependency-failure-rate'], { dependencyFailures: 3, dependencyCalls: 4 }),
    ).toBe(0.75);
  });
});

describe('ratioMetricMath', () => {
  it('writes the 5xx formula as CloudWatch metric math, clamped at 0', () => {
    const ratio = '(FILL(target5xx, 0) + FILL(elb5xx, 0) - FILL(deliberate, 0)) / requests';
    expect(ratioMetricMath(FIVE_XX, (count) => ALB_IDS[count] ?? [])).toBe(`IF(${ratio} < 0, 0, ${ratio})`);
    expect(ratioMetricMath(OLD_FIVE_XX, (count) => ALB_IDS[count] ?? [])).toBe(
      '(FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests',
    );
  });

  it('sums a count published per class, and fills a summed denominator', () => {
    const ids = (count: AlarmCount) =>
      count === 'gateShed' ? ['shed_low', 'shed_high'] : ['requests_low', 'requests_high'];
    expect(ratioMetricMath(RATIO_ALARM_MATH['gate-shed-rate'], ids)).toBe(
      '(FILL(shed_low, 0) + FILL(shed_high, 0)) / (FILL(requests_low, 0) + FILL(requests_high, 0))',
    );
    expect(
      ratioMetricMath(RATIO_ALARM_MATH['gate-dependency-failure-rate'], (count) => [
        count === 'dependencyFailures' ? 'failures_x' : 'calls_x',
      ]),
    ).toBe('FILL(failures_x, 0) / calls_x');
  });

  it('names the count that has no metric behind it', () => {
    expect(() => ratioMetricMath(FIVE_XX, (count) => (count === 'deliberateRefusals' ? [] : ['m']))).toThrow(
      'count deliberateRefusals: got no metric ids; expected at least one',
    );
  });
});

it('knows which configured metrics are ratios', () => {
  expect(
    ['alb-5xx-rate', 'gate-shed-rate', 'gate-dependency-failure-rate', 'alb-p99-latency-ms', 'cache-connections'].map(
      isRatioAlarmMetric,
    ),
  ).toEqual([true, true, true, false, false]);
});
