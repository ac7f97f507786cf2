import { useRef, useState } from 'preact/hooks';
import { layoutGantt, timeAtX, type GanttAttempt } from '../domain/gantt-geometry';
import { href } from '../domain/routes';
import { useWidth } from '../hooks';
import { Empty } from './common';

/** Gantt timeline per node: a bar per attempt; drag across the plot to zoom, double-click to reset. */
export function GanttChart({ id, attempts, nodeOrder, nowMs }: { id: string; attempts: readonly GanttAttempt[]; nodeOrder?: readonly string[]; nowMs: number }) {
  const [ref, width] = useWidth<HTMLDivElement>(900);
  const [zoom, setZoom] = useState<{ fromMs: number; toMs: number } | null>(null);
  const [brush, setBrush] = useState<{ x0: number; x1: number } | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const layout = layoutGantt(attempts, { width, nowMs, nodeOrder, window: zoom ?? undefined });
  const xIn = (ev: PointerEvent) => ev.clientX - (svgRef.current?.getBoundingClientRect().left ?? 0);
  if (!attempts.length && !(nodeOrder?.length ?? 0)) {
    return (
      <div ref={ref} class="gantt-wrap">
        <Empty>no attempts yet</Empty>
      </div>
    );
  }
  return (
    <div ref={ref} class="gantt-wrap">
      <div class="gantt-tools">
        {zoom ? (
          <button type="button" class="link" onClick={() => setZoom(null)}>
            reset zoom
          </button>
        ) : (
          <span class="muted small">drag across the timeline to zoom</span>
        )}
        <span class="legend">
          {['running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'lost'].map((s) => (
            <span key={s} class={`pill s-${s}`}>
              {s.replace('_', ' ')}
            </span>
          ))}
        </span>
      </div>
      <svg
        id={id}
        ref={svgRef}
        class="gantt"
        width={layout.width}
        height={layout.height + 4}
        role="img"
        aria-label="attempts per node over time"
        onPointerDown={(ev) => {
          const x = xIn(ev);
          // A press on a bar is a click on its link, not the start of a zoom.
          if (x < layout.plotX || (ev.target as Element).closest('a')) return;
          (ev.currentTarget as SVGSVGElement).setPointerCapture(ev.pointerId);
          setBrush({ x0: x, x1: x });
        }}
        onPointerMove={(ev) => brush && setBrush({ ...brush, x1: xIn(ev) })}
        onPointerUp={() => {
          if (brush && Math.abs(brush.x1 - brush.x0) > 6) {
            const a = timeAtX(layout, Math.min(brush.x0, brush.x1));
            const b = timeAtX(layout, Math.max(brush.x0, brush.x1));
            setZoom({ fromMs: a, toMs: b });
          }
          setBrush(null);
        }}
        onDblClick={() => setZoom(null)}
      >
        {layout.ticks.map((t) => (
          <g key={t.ms} class="tick">
            <line x1={t.x} x2={t.x} y1={16} y2={layout.height} />
            <text x={t.x} y={12} text-anchor={t.x > layout.width - 50 ? 'end' : 'middle'}>
              {t.label}
            </text>
          </g>
        ))}
        {layout.rows.map((r, i) => (
          <g key={r.nodeId} class="gantt-row" data-node={r.nodeId}>
            <rect class={i % 2 ? 'row-bg odd' : 'row-bg'} x={0} y={r.y} width={layout.width} height={r.height} />
            <text class="row-label" x={6} y={r.y + r.height / 2 + 4}>
              {r.nodeId.length > 28 ? `…${r.nodeId.slice(-27)}` : r.nodeId}
              <title>{r.nodeId}</title>
            </text>
          </g>
        ))}
        {layout.bars.map((b) => (
          <a key={b.key} href={href({ name: 'task', id: b.taskId })}>
            <rect
              class={b.running ? 'gantt-bar running' : 'gantt-bar'}
              data-task-id={b.taskId}
              data-attempt={b.attempt}
              data-node={b.nodeId}
              data-status={b.status}
              x={b.x}
              y={b.y}
              width={b.width}
              height={b.height}
              fill={b.fill}
              stroke={b.stroke}
              rx={2}
            >
              <title>{b.title}</title>
            </rect>
            {b.width > 60 ? (
              <text class="bar-label" x={b.x + 4} y={b.y + b.height - 5}>
                {b.label.length * 6.5 > b.width - 8 ? `${b.label.slice(0, Math.max(1, Math.floor((b.width - 8) / 6.5) - 1))}…` : b.label}
              </text>
            ) : null}
          </a>
        ))}
        {brush ? <rect class="brush" x={Math.min(brush.x0, brush.x1)} y={16} width={Math.abs(brush.x1 - brush.x0)} height={layout.height - 16} /> : null}
      </svg>
    </div>
  );
}
