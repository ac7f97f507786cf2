import type { StreamInfo, StreamingDetector } from './anomaly-detector.types';
import { ContextOperator, type FactPair } from './cad-ose.context-operator';

export interface CadOseConfig {
  /**
   * Value range used to quantise values. NAB passes every detector the minimum and maximum of the whole
   * file (`inputMin`/`inputMax`, nab/detectors/base.py) and CAD OSE uses them; without them (and
   * without `StreamInfo`) the range seen so far, including the current value, is used instead.
   */
  readonly minValue?: number;
  readonly maxValue?: number;
  /** A score is returned only if no raw score of the last `restPeriod` rows reached this (0.75). */
  readonly baseThreshold?: number;
  /** Rows of rest after a raw score ≥ baseThreshold. NAB: probationaryPeriod / 5; without it 30. */
  readonly restPeriod?: number;
  /** Longest left semi-context that may be extended into new contexts (7). */
  readonly maxLeftSemiContextsLength?: number;
  /** Active contexts fed back as "neuron" facts (15). */
  readonly maxActiveNeuronsNum?: number;
  /** Bits of the quantised value: 2^bits levels (3 → 8 levels). */
  readonly numNormValueBits?: number;
}

const SENSOR_BASE = 65536;
const NEURON_BASE = 2 ** 31;

/**
 * CAD OSE, the Contextual Anomaly Detector (open-source edition, Mikhail Smirnov, 2016; NAB
 * "contextOSE", 69.9 standard on NAB's full corpus), ported from nab/detectors/context_ose/cad_ose.py.
 *
 * Each value is quantised to `numNormValueBits` bits; each bit becomes a fact. The detector learns
 * contexts "these facts were followed by those" and feeds its most active contexts back as facts, so it
 * learns sequences. The raw score is (1 − share of selected contexts that were confirmed + share of
 * potential new contexts that really were new) / 2, and 0 when the value's bits were all predicted.
 * After a raw score ≥ baseThreshold it rests (outputs 0) for `restPeriod` rows.
 */
export function createCadOseDetector(config: CadOseConfig = {}, info: StreamInfo = {}): StreamingDetector {
  const bits = config.numNormValueBits ?? 3;
  const maxBin = 2 ** bits - 1;
  const maxActive = config.maxActiveNeuronsNum ?? 15;
  const baseThreshold = config.baseThreshold ?? 0.75;
  const restPeriod = Math.trunc(config.restPeriod ?? (info.probationaryPeriod !== undefined ? info.probationaryPeriod / 5 : 30));
  const fixedMin = config.minValue ?? info.inputMin;
  const fixedMax = config.maxValue ?? info.inputMax;
  const operator = new ContextOperator(config.maxLeftSemiContextsLength ?? 7);
  let seenMin = Number.POSITIVE_INFINITY;
  let seenMax = Number.NEGATIVE_INFINITY;
  let leftFacts: readonly number[] = [];
  let predicted = new Set<number>();
  const history: number[] = [1];

  function quantise(value: number): number {
    const min = fixedMin ?? seenMin;
    const max = fixedMax ?? seenMax;
    const range = max - min === 0 ? maxBin : max - min;
    const level = Math.trunc((value - min) / (range / maxBin));
    return Math.min(maxBin, Math.max(0, level)); // only out-of-range values (never with NAB's file range) are clamped
  }

  /** One learning step; returns [share of selected contexts confirmed, share of potential contexts that were new]. */
  function step(sensorFacts: readonly number[]): [number, number] {
    let newContext = false;
    let uniquePotential = new Set<string>();
    if (leftFacts.length > 0 && sensorFacts.length > 0) {
      const zeroLevel: FactPair = [leftFacts, sensorFacts];
      uniquePotential.add(pairKey(zeroLevel));
      newContext = operator.addZeroLevelContext(zeroLevel);
    }
    const { active, selected, potential } = operator.crossRight(sensorFacts, newContext);
    uniquePotential = new Set([...uniquePotential, ...potential.map(pairKey)]);
    const confirmed = selected > 0 ? active.length / selected : 0;

    active.sort((a, b) => a[1] - b[1] || cmp(a[2], b[2]) || cmp(a[3], b[3]));
    const neurons = active.slice(-maxActive).map((a) => NEURON_BASE + a[0]);
    leftFacts = [...new Set([...sensorFacts, ...neurons])].sort((a, b) => a - b);

    const { added, predictions } = operator.crossLeft(leftFacts, potential);
    predicted = predictions;
    const newShare = newContext && uniquePotential.size > 0 ? (added + 1) / uniquePotential.size : 0;
    return [confirmed, newShare];
  }

  return {
    name: 'cad-ose',
    score(_timestamp: number, value: number): number {
      if (value < seenMin) seenMin = value;
      if (value > seenMax) seenMax = value;
      const level = quantise(value);
      const sensorFacts: number[] = [];
      let surprise = 0;
      for (let bit = 0; bit < bits; bit++) {
        const fact = SENSOR_BASE + bit * 2 + ((level >> bit) & 1);
        sensorFacts.push(fact);
        if (!predicted.has(fact)) surprise += 2 ** bit;
      }
      const [confirmed, newShare] = step(sensorFacts);
      const raw = surprise > 0 ? (1 - confirmed + newShare) / 2 : 0;
      const rested = restPeriod > 0 ? history.slice(-restPeriod) : history;
      let out = raw;
      for (const h of rested) if (h >= baseThreshold) out = 0;
      history.push(raw);
      if (history.length > 2 * restPeriod + 1 && restPeriod > 0) history.splice(0, history.length - restPeriod);
      return out;
    },
  };
}

function pairKey([l, r]: FactPair): string {
  return `${l.join(',')}|${r.join(',')}`;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
