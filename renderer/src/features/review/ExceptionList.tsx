import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ReviewItem } from '../../../../services/contract/index';
import { go } from '../../router';
import { STATUS_LABEL, TYPE_LABEL, fmtDateTime, money } from './format';

const ROW = 84;

/** The virtualized queue: only the visible rows exist in the DOM, more pages load near the end. */
export function ExceptionList(props: {
  items: ReviewItem[];
  selectedId?: number;
  zone: string;
  loadMore(): void;
  hasMore(): boolean;
}) {
  const { items, selectedId, zone } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8 });
  const virtual = v.getVirtualItems();
  const last = virtual.at(-1)?.index ?? 0;

  useEffect(() => {
    if (last >= items.length - 40 && props.hasMore()) props.loadMore();
  }, [last, items.length]);

  // Keep the selected row in view when J/K moves past the edge.
  const selectedIndex = items.findIndex((i) => i.id === selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) v.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex]);

  return (
    <div ref={scroller} className="rv-scroller" role="listbox" aria-label="Exceptions" tabIndex={-1}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {virtual.map((row) => {
          const x = items[row.index]!;
          const rule = x.reasons[0]?.ruleName ?? TYPE_LABEL(x.type);
          return (
            <div
              key={x.id}
              role="option"
              aria-selected={x.id === selectedId}
              data-exception-id={x.id}
              className={`rv-row rv-sev-${x.severity}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${row.start}px)` }}
              onClick={() => go(`review/${x.id}`)}
            >
              <div className="rv-row-top">
                <strong className="rv-rule">{rule}{x.reasons.length > 1 ? ` +${x.reasons.length - 1}` : ''}</strong>
                <span className={`status-pill st-${x.status}`}>{STATUS_LABEL[x.status]}</span>
              </div>
              <div className="rv-row-meta dim">
                <span>{fmtDateTime(x.startedAt, zone)}</span>
                <span>Reg {x.register ?? '–'}</span>
                <span className="rv-emp">{x.employee ?? 'no employee'}</span>
                <span className="rv-amt">{money(x.amountCents)}</span>
              </div>
              <div className="rv-row-meta dim">
                <span className={`sev sev-${x.severity}`}>{x.severity}</span>
                {x.caseId && <span>Case #{x.caseId}</span>}
                {x.notes > 0 && <span>{x.notes} note{x.notes > 1 ? 's' : ''}</span>}
                <span>#{x.id}</span>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
