import type { WorkflowView } from '../api/api-types';
import { MAX_DRAWN_NODES, buildDagInput, layoutDag } from '../domain/dag-graph';
import { href } from '../domain/routes';
import { Empty } from './common';

/** The workflow's DAG as SVG, laid out by dagre, each task in its live status colour. */
export function DagView({ workflow, nowMs }: { workflow: WorkflowView; nowMs: number }) {
  if (workflow.tasks.length > MAX_DRAWN_NODES) return <Empty>{workflow.tasks.length} tasks: too many to draw; see the table below.</Empty>;
  const layout = layoutDag(buildDagInput(workflow, nowMs));
  return (
    <div class="dag-wrap">
      <svg id="dag" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label={`DAG of workflow ${workflow.name}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path key={`${e.from}->${e.to}`} class={`dag-edge o-${e.origin}`} data-from={e.from} data-to={e.to} d={e.d} stroke={e.stroke} marker-end="url(#arrow)">
            <title>{`${e.from} → ${e.to} (${e.origin}${e.files.length ? `: ${e.files.join(', ')}` : ''})`}</title>
          </path>
        ))}
        {layout.nodes.map((n) => {
          const body = (
            <g class="dag-node" data-key={n.id} data-status={n.status} data-task-id={n.taskId ?? ''} transform={`translate(${n.x},${n.y})`}>
              <rect width={n.width} height={n.height} rx={6} fill={n.fill} stroke={n.stroke} />
              <text x={10} y={17} class="dag-label" fill={n.text}>
                {n.label}
              </text>
              <text x={10} y={33} class="dag-detail" fill={n.text}>
                {n.detail}
              </text>
              <title>{`${n.label}: ${n.status}`}</title>
            </g>
          );
          return n.taskId ? (
            <a key={n.id} href={href({ name: 'task', id: n.taskId })}>
              {body}
            </a>
          ) : (
            <g key={n.id}>{body}</g>
          );
        })}
      </svg>
    </div>
  );
}
