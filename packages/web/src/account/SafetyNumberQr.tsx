import { useMemo, type ReactNode } from 'react';
import { create } from 'qrcode';

/** Light modules around the symbol, as the QR standard asks, so scanners find its edges. */
const QUIET_ZONE = 4;

/**
 * The safety number's QR code, drawn as SVG rectangles from the module matrix `qrcode` computes: no data URL,
 * no markup string (ADR 0017: no HTML sinks; Trusted Types would refuse them anyway). One rectangle per run of
 * dark modules in a row keeps the element count low. Always black on white, also in dark mode: scanners expect
 * dark modules on a light ground.
 */
export function SafetyNumberQr({
  text,
  label,
}: {
  readonly text: string;
  readonly label: string;
}): ReactNode {
  const { size, runs } = useMemo(() => darkRuns(text), [text]);
  const extent = size + 2 * QUIET_ZONE;
  return (
    <svg
      className="safety-qr"
      viewBox={`${String(-QUIET_ZONE)} ${String(-QUIET_ZONE)} ${String(extent)} ${String(extent)}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect x={-QUIET_ZONE} y={-QUIET_ZONE} width={extent} height={extent} fill="#ffffff" />
      {runs.map(({ row, column, length }) => (
        <rect
          key={`${String(row)}:${String(column)}`}
          x={column}
          y={row}
          width={length}
          height={1}
          fill="#000000"
        />
      ))}
    </svg>
  );
}

interface Run {
  readonly row: number;
  readonly column: number;
  readonly length: number;
}

function darkRuns(text: string): { size: number; runs: Run[] } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = modules;
  const runs: Run[] = [];
  for (let row = 0; row < size; row++) {
    let column = 0;
    while (column < size) {
      if (data[row * size + column] === 0) {
        column++;
        continue;
      }
      const start = column;
      while (column < size && data[row * size + column] !== 0) column++;
      runs.push({ row, column: start, length: column - start });
    }
  }
  return { size, runs };
}
