import type { DecisionRecord as StoredRecord } from '@kairos/contracts';
import { decisionPanelModel, parseDecisionRecord } from '../domain/decision-record';
import { formatNumber } from '../domain/format';

const signed = (v: number | null) => (v === null ? '–' : `${v > 0 ? '+' : ''}${formatNumber(v, 3)}`);

/** "Why this node, why now": the placement decision record of an attempt, or why there is none. */
export function DecisionPanel({ raw, ordering = null }: { raw: unknown; ordering?: StoredRecord | null }) {
  const { record, problem } = parseDecisionRecord(raw, ordering);
  if (!record) {
    return (
      <div class="decision placeholder" id="decision">
        {problem ? (
          <p class="load-error">decision record unreadable: {problem}</p>
        ) : (
          <p class="muted">
            No placement decision recorded for this task yet (it is still queued, was placed before decision recording, recording is off with
            DECISION_RECORDING=false, or its record passed DECISIONS_RETENTION_DAYS).
          </p>
        )}
      </div>
    );
  }
  const m = decisionPanelModel(record);
  return (
    <div class="decision" id="decision">
      <p class="headline">{m.headline}</p>
      <p>
        <b>Why now:</b> {m.whyNow}
      </p>
      <dl class="inputs">
        {m.inputs.map((i) => (
          <div key={i.label}>
            <dt>{i.label}</dt>
            <dd>{i.value}</dd>
          </div>
        ))}
      </dl>
      <table class="components">
        <thead>
          <tr>
            <th>score component</th>
            <th>weight</th>
            <th>{record.chosen.nodeId}</th>
            <th>{m.runnerUp ? m.runnerUp.nodeId : 'runner-up'}</th>
            <th>advantage</th>
          </tr>
        </thead>
        <tbody>
          {m.components.map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td>
              <td>{formatNumber(c.weight, 3)}</td>
              <td>{c.chosenValue === null ? '–' : `${formatNumber(c.chosenValue, 3)} → ${formatNumber(c.chosenContribution, 3)}`}</td>
              <td>{c.runnerUpValue === null ? '–' : `${formatNumber(c.runnerUpValue, 3)} → ${formatNumber(c.runnerUpContribution, 3)}`}</td>
              <td class={c.advantage !== null && c.advantage < 0 ? 'neg' : undefined}>{signed(c.advantage)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>score</th>
            <td />
            <th>{m.chosenScore}</th>
            <th>{m.runnerUp?.score ?? '–'}</th>
            <th>{m.runnerUp ? `+${m.runnerUp.margin}` : ''}</th>
          </tr>
        </tfoot>
      </table>
      {m.runnerUp ? (
        <p>
          <b>Runner-up:</b> {m.runnerUp.nodeId} (score {m.runnerUp.score}, {m.runnerUp.margin} behind){m.runnerUp.rejectedBecause ? ` — ${m.runnerUp.rejectedBecause}` : ''}
        </p>
      ) : (
        <p>
          <b>Runner-up:</b> none (only one candidate node)
        </p>
      )}
      <p>
        <b>Confidence:</b> <span class={`confidence c-${m.confidence.level}`}>{m.confidence.value}</span>
      </p>
      {m.inconsistent.length ? <p class="load-error">score does not add up: {m.inconsistent.join('; ')}</p> : null}
    </div>
  );
}
