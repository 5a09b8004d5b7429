import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
  type RefObject,
} from 'react';

/** Rows kept rendered beyond the visible area, above and below, in pixels. */
const OVERSCAN_PX = 900;
/** Closer than this to the top of what is loaded, older messages are fetched. */
const LOAD_OLDER_PX = 1_200;
/** Within this of the bottom, the view follows new messages. */
const STICK_PX = 48;
/** A row's height before it was measured (then the average of the measured ones). */
const FIRST_ESTIMATE_PX = 72;

interface VirtualTimelineProps<T> {
  readonly items: readonly T[];
  readonly itemKey: (item: T) => string;
  /** Renders one `<li>`; `ref` must reach it (measured heights), `position` is its 1-based place. */
  readonly renderRow: (item: T, position: number, ref: (element: HTMLLIElement | null) => void) => ReactNode;
  /** The scrolling element (it carries role="log"). */
  readonly scroller: RefObject<HTMLDivElement | null>;
  /** More is loaded when the reader comes near the top. */
  readonly hasOlder: boolean;
  readonly onNearTop: () => void;
  readonly className?: string;
  /** A row to scroll to and focus once it is loaded (a search result); a new object for each request. */
  readonly reveal?: { readonly key: string } | undefined;
}

interface Anchor {
  readonly key: string;
  /** Where the anchor row's top was, relative to the scroller's top edge. */
  readonly offset: number;
}

/** Where the rows are in the DOM as last committed: what a scroll position refers to until the next commit. */
interface Geometry {
  readonly keys: readonly string[];
  readonly offsets: Float64Array;
  /** The list's top within the scroller's content. */
  readonly listTop: number;
}

/** A row as last rendered: reused while nothing it was rendered from changed, so React skips it. */
interface RenderedRow<T> {
  readonly item: T;
  readonly position: number;
  readonly renderRow: unknown;
  readonly node: ReactNode;
}

/**
 * A long conversation as a windowed list: only the rows near the viewport are in the DOM (their heights are
 * measured as they render; unmeasured ones are estimated), padding stands for the others. The view follows
 * new messages while the reader is at the bottom; otherwise one visible row stays where it is on screen
 * whatever changes above it (older pages arriving, rows measured), so nothing jumps. Rows stay in order in one
 * `<ol>` with their positions (`aria-posinset`) for screen readers, and a row holding the focus is kept.
 */
export function VirtualTimeline<T>({
  items,
  itemKey,
  renderRow,
  scroller,
  hasOlder,
  onNearTop,
  className = 'timeline',
  reveal,
}: VirtualTimelineProps<T>): ReactNode {
  const heights = useRef(new Map<string, number>());
  const [measured, setMeasured] = useState(0);
  const [view, setView] = useState({ top: 0, height: 0 });
  const stick = useRef(true);
  /** The scroller's position and content height as last seen: a scroll not processed yet shows as a change. */
  const seen = useRef({ top: 0, height: 0 });
  const anchor = useRef<Anchor | undefined>(undefined);
  const list = useRef<HTMLOListElement>(null);
  const gap = useRef(0);
  const [focusedKey, setFocusedKey] = useState<string | undefined>(undefined);

  const keys = useMemo(() => items.map(itemKey), [items, itemKey]);
  // Row tops within the list (prefix sums); recomputed when items or measurements change.
  const offsets = useMemo(() => {
    let total = 0;
    let count = 0;
    for (const height of heights.current.values()) {
      total += height;
      count += 1;
    }
    const estimate = count === 0 ? FIRST_ESTIMATE_PX : total / count;
    const tops = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i += 1) {
      tops[i + 1] = (tops[i] ?? 0) + (heights.current.get(keys[i] ?? '') ?? estimate) + gap.current;
    }
    return tops;
    // `measured` changes whenever a height does (the heights themselves live in a ref).
  }, [keys, measured]);
  const totalHeight = offsets[keys.length] ?? 0;

  // Which rows to render: those overlapping the viewport plus the overscan (all of the last screen while the
  // view sticks to the bottom), and the focused row wherever it is.
  const listTop = list.current?.offsetTop ?? 0;
  const held = anchor.current;
  const heldIndex = held === undefined ? -1 : keys.indexOf(held.key);
  // Away from the bottom, the view is where the anchor row will be put back (before the scroll event says so).
  const viewTop = stick.current
    ? Math.max(0, totalHeight - view.height)
    : held !== undefined && heldIndex !== -1
      ? (offsets[heldIndex] ?? 0) - held.offset
      : view.top - listTop;
  const first = Math.max(0, lastIndexAtOrBelow(offsets, viewTop - OVERSCAN_PX, keys.length));
  const last = Math.min(
    keys.length,
    lastIndexAtOrBelow(offsets, viewTop + view.height + OVERSCAN_PX, keys.length) + 1,
  );
  const focusedIndex = focusedKey === undefined ? -1 : keys.indexOf(focusedKey);

  // One observer measures every rendered row.
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const elements = useRef(new Map<string, HTMLLIElement>());
  useEffect(() => {
    let frame = 0;
    const resize = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset['rowKey'];
        if (key === undefined) continue;
        // The observer's own size: asking the element would force a layout per row in this callback.
        const height = entry.borderBoxSize[0]?.blockSize ?? entry.target.getBoundingClientRect().height;
        if (height === 0 || Math.abs((heights.current.get(key) ?? -1) - height) < 0.5) continue;
        heights.current.set(key, height);
        changed = true;
      }
      if (changed && frame === 0)
        frame = requestAnimationFrame(() => {
          frame = 0;
          setMeasured((m) => m + 1);
        });
    });
    observer.current = resize;
    for (const element of elements.current.values()) resize.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
    };
  }, []);
  const refs = useRef(new Map<string, (element: HTMLLIElement | null) => void>());
  const refFor = useCallback((key: string) => {
    let ref = refs.current.get(key);
    if (ref === undefined) {
      ref = (element) => {
        const previous = elements.current.get(key);
        if (previous !== undefined && previous !== element) observer.current?.unobserve(previous);
        if (element === null) {
          elements.current.delete(key);
          refs.current.delete(key);
          return;
        }
        element.dataset['rowKey'] = key;
        elements.current.set(key, element);
        // Its first observation reports its height.
        observer.current?.observe(element);
      };
      refs.current.set(key, ref);
    }
    return ref;
  }, []);

  // The geometry of the last commit. Not the render's: a render may be newer than the DOM the reader scrolled.
  const committed = useRef<Geometry>({ keys: [], offsets: new Float64Array(1), listTop: 0 });
  const onNearTopRef = useRef(onNearTop);
  onNearTopRef.current = onNearTop;
  const hasOlderRef = useRef(hasOlder);
  hasOlderRef.current = hasOlder;

  /**
   * Remembers the first row visible at the top, to hold it in place across changes above it. The scroll
   * position is read against the rows as committed when the reader scrolled (`geometry`).
   */
  const noteAnchor = useCallback((element: HTMLDivElement, geometry: Geometry) => {
    const top = element.scrollTop - geometry.listTop;
    const index = Math.max(0, lastIndexAtOrBelow(geometry.offsets, top, geometry.keys.length));
    const key = geometry.keys[index];
    anchor.current = key === undefined ? undefined : { key, offset: (geometry.offsets[index] ?? 0) - top };
  }, []);

  useEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    let frame = 0;
    const update = (): void => {
      frame = 0;
      stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_PX;
      seen.current = { top: element.scrollTop, height: element.scrollHeight };
      noteAnchor(element, committed.current);
      setView({ top: element.scrollTop, height: element.clientHeight });
      if (!stick.current && hasOlderRef.current && element.scrollTop < LOAD_OLDER_PX) onNearTopRef.current();
    };
    const onScroll = (): void => {
      if (frame === 0) frame = requestAnimationFrame(update);
    };
    const resize = new ResizeObserver(() =>
      setView({ top: element.scrollTop, height: element.clientHeight }),
    );
    resize.observe(element);
    element.addEventListener('scroll', onScroll, { passive: true });
    setView({ top: element.scrollTop, height: element.clientHeight });
    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
      element.removeEventListener('scroll', onScroll);
    };
  }, [scroller, noteAnchor]);

  // After every layout: at the bottom, stay there; elsewhere, put the anchor row back where it was on screen.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null || list.current === null) return;
    const previous = committed.current;
    committed.current = { keys, offsets, listTop: list.current.offsetTop };
    if (gap.current === 0) {
      const rowGap = Number.parseFloat(getComputedStyle(list.current).rowGap);
      if (Number.isFinite(rowGap) && rowGap > 0) {
        gap.current = rowGap;
        setMeasured((m) => m + 1);
      }
    }
    // Scrolled since the last scroll event was handled (its event is still to come): decide from where it is
    // now, or a render in between would pull the reader back to the bottom, or to the old anchor.
    if (Math.abs(element.scrollTop - seen.current.top) >= 1) {
      // At the bottom before the content changed, or now (the browser clamps the position when it shrinks).
      const bottom = (height: number): boolean =>
        height - element.scrollTop - element.clientHeight < STICK_PX;
      stick.current = bottom(seen.current.height) || bottom(element.scrollHeight);
      // The position is in the rows the reader saw, the previous commit's: read against this commit's rows,
      // a page of older messages prepended in the meantime would take the anchor (and the reader) to its top.
      noteAnchor(element, previous);
    }
    if (stick.current) {
      element.scrollTop = element.scrollHeight;
    } else {
      const current = anchor.current;
      const index = current === undefined ? -1 : keys.indexOf(current.key);
      if (current !== undefined && index !== -1) {
        const wanted = list.current.offsetTop + (offsets[index] ?? 0) - current.offset;
        if (Math.abs(element.scrollTop - wanted) >= 1) element.scrollTop = wanted;
      }
    }
    seen.current = { top: element.scrollTop, height: element.scrollHeight };
  });

  // Reveal: first scroll to where the row is estimated to be (so it renders), then centre and focus it. The
  // focus keeps it rendered and tells screen readers where they are; the anchor keeps it in place.
  const revealed = useRef<object | undefined>(undefined);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (reveal === undefined || revealed.current === reveal || element === null || list.current === null)
      return;
    const index = keys.indexOf(reveal.key);
    if (index === -1) return;
    stick.current = false;
    const row = elements.current.get(reveal.key);
    if (row === undefined) {
      anchor.current = { key: reveal.key, offset: element.clientHeight / 3 };
      element.scrollTop = Math.max(
        0,
        list.current.offsetTop + (offsets[index] ?? 0) - element.clientHeight / 3,
      );
      const next = { top: element.scrollTop, height: element.clientHeight };
      setView((v) => (v.top === next.top && v.height === next.height ? v : next));
      return;
    }
    revealed.current = reveal;
    row.scrollIntoView({ block: 'center' });
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    noteAnchor(element, committed.current);
    seen.current = { top: element.scrollTop, height: element.scrollHeight };
  });

  // A scroll renders this list every frame: rows whose item, place and renderer are unchanged come back as the
  // very element rendered before, which React skips without calling the row's component again.
  const lastRendered = useRef(new Map<string, RenderedRow<T>>());
  const nowRendered = new Map<string, RenderedRow<T>>();
  const rendered: ReactNode[] = [];
  const renderAt = (index: number): void => {
    const item = items[index];
    const key = keys[index];
    if (item === undefined || key === undefined) return;
    const before = lastRendered.current.get(key);
    const row =
      before !== undefined &&
      before.item === item &&
      before.position === index + 1 &&
      before.renderRow === renderRow
        ? before
        : { item, position: index + 1, renderRow, node: renderRow(item, index + 1, refFor(key)) };
    nowRendered.set(key, row);
    rendered.push(row.node);
  };
  const withFocused = focusedIndex !== -1 && (focusedIndex < first || focusedIndex >= last);
  if (withFocused && focusedIndex < first) renderAt(focusedIndex);
  for (let i = first; i < last; i += 1) renderAt(i);
  if (withFocused && focusedIndex >= last) renderAt(focusedIndex);
  lastRendered.current = nowRendered;
  const paddingTop =
    (offsets[first] ?? 0) - (withFocused && focusedIndex < first ? rowHeight(offsets, focusedIndex) : 0);
  const paddingBottom =
    totalHeight -
    (offsets[last] ?? 0) -
    (withFocused && focusedIndex >= last ? rowHeight(offsets, focusedIndex) : 0);

  return (
    <ol
      ref={list}
      className={className}
      style={{ paddingTop: Math.max(0, paddingTop), paddingBottom: Math.max(0, paddingBottom) }}
      data-rows={items.length}
      onFocus={(event) => {
        const row = (event.target as HTMLElement).closest<HTMLElement>('[data-row-key]');
        setFocusedKey(row?.dataset['rowKey']);
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setFocusedKey(undefined);
      }}
    >
      {rendered}
    </ol>
  );
}

/** The last index i (0…count) with tops[i] ≤ y. */
function lastIndexAtOrBelow(tops: Float64Array, y: number, count: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((tops[middle] ?? 0) <= y) low = middle;
    else high = middle - 1;
  }
  return low;
}

function rowHeight(tops: Float64Array, index: number): number {
  return (tops[index + 1] ?? 0) - (tops[index] ?? 0);
}
