import { useCallback, useEffect, useRef, useState } from 'react';
import type { InputOf, ReviewItem } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';

export type Filters = Omit<InputOf<'review.list'>, 'limit' | 'cursor' | 'withTotal'>;

const PAGE = 200;
const newerFirst = (a: ReviewItem, b: ReviewItem) => b.startedAt - a.startedAt || b.id - a.id;

/**
 * The review queue, loaded page by page as the list scrolls (keyset cursor), so 100k exceptions
 * cost only the rows looked at. New exceptions (exception.flagged) are merged in place without
 * losing the scroll position; status changes patch the row.
 */
export function useReviewList(filters: Filters) {
  const [items, setItems] = useState<ReviewItem[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const cursor = useRef<string | null>(null);
  const busy = useRef(false);
  const key = JSON.stringify(filters);
  const generation = useRef(0);

  const fail = (e: unknown) => setError(e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));

  useEffect(() => {
    const gen = ++generation.current;
    setLoading(true);
    busy.current = true;
    api
      .call('review.list', { ...filters, limit: PAGE, withTotal: true })
      .then((r) => {
        if (gen !== generation.current) return;
        setItems(r.items);
        setTotal(r.total);
        cursor.current = r.nextCursor;
        setError(undefined);
      })
      .catch(fail)
      .finally(() => {
        if (gen === generation.current) {
          busy.current = false;
          setLoading(false);
        }
      });
  }, [key]);

  const loadMore = useCallback(() => {
    if (busy.current || !cursor.current) return;
    busy.current = true;
    const gen = generation.current;
    api
      .call('review.list', { ...filters, limit: PAGE, cursor: cursor.current })
      .then((r) => {
        if (gen !== generation.current) return;
        cursor.current = r.nextCursor;
        setItems((old) => {
          const seen = new Set(old.map((i) => i.id));
          return [...old, ...r.items.filter((i) => !seen.has(i.id))];
        });
      })
      .catch(fail)
      .finally(() => {
        if (gen === generation.current) busy.current = false;
      });
  }, [key]);

  // New exceptions: re-read the first page and merge, debounced because an import flags them in bursts.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const gen = generation.current;
        api
          .call('review.list', { ...filters, limit: PAGE, withTotal: true })
          .then((r) => {
            if (gen !== generation.current) return;
            setTotal(r.total);
            setItems((old) => {
              if (!old.length) {
                cursor.current = r.nextCursor;
                return r.items;
              }
              const byId = new Map(old.map((i) => [i.id, i]));
              for (const i of r.items) byId.set(i.id, i);
              return [...byId.values()].sort(newerFirst);
            });
          })
          .catch(fail);
      }, 400);
    };
    const offs = [api.on('exception.flagged', refresh), api.on('import.finished', refresh), api.on('case.updated', refresh), api.on('note.added', refresh)];
    const offUpdated = api.on('exception.updated', (p) => {
      const u = p as { id: number; status: ReviewItem['status']; severity: ReviewItem['severity'] };
      setItems((old) => old.map((i) => (i.id === u.id ? { ...i, status: u.status, severity: u.severity } : i)));
    });
    return () => {
      clearTimeout(timer);
      offs.forEach((o) => o());
      offUpdated();
    };
  }, [key]);

  const hasMore = () => !!cursor.current;
  return { items, total, error, loading, loadMore, hasMore };
}
