import { explanationView, parseEstimateExplanation, unavailableReason } from '../domain/prediction-explanation';

/** "Why this estimate": the features that moved the task's p50 duration estimate away from the average, and the version's most important features. */
export function ExplanationPanel({ raw, notFound = false }: { raw: unknown; notFound?: boolean }) {
  const { explanation, problem } = parseEstimateExplanation(raw);
  if (!explanation) {
    return (
      <div class="explanation placeholder" id="explanation">
        {problem ? <p class="load-error">explanation unreadable: {problem}</p> : <p class="muted">{notFound ? 'no duration estimate was recorded for this task' : 'loading…'}</p>}
      </div>
    );
  }
  const v = explanationView(explanation);
  if (!v) {
    return (
      <div class="explanation placeholder" id="explanation">
        <p class="muted">No feature attribution: {unavailableReason(explanation)}.</p>
      </div>
    );
  }
  return (
    <div class="explanation" id="explanation">
      <p class="headline">{v.summary}</p>
      <table class="contributions">
        <thead>
          <tr>
            <th>feature</th>
            <th>value</th>
            <th>contribution (log1p s)</th>
            <th>factor</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {v.rows.map((r) => (
            <tr key={r.feature} data-feature={r.feature}>
              <td>{r.feature}</td>
              <td>{r.value}</td>
              <td class={r.raises ? 'up' : 'down'}>{r.contribution}</td>
              <td>{r.factor}</td>
              <td>
                <svg width="80" height="10" aria-hidden="true">
                  <rect class={r.raises ? 'shap-up' : 'shap-down'} x="0" y="1" height="8" width={Math.max(1, Math.round(80 * r.share))} />
                </svg>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {v.rest ? <p class="muted rest">{v.rest}</p> : null}
      {v.inconsistent ? <p class="load-error">the contributions do not add up to the prediction</p> : null}
      {v.globalTop.length ? (
        <p class="global">
          <b>Most important for this version:</b> {v.globalTop.map((g) => `${g.feature} (${g.increase})`).join(', ')}
        </p>
      ) : null}
    </div>
  );
}
