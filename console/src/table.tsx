// The frame every table of the console shares: a scrolling wrapper, a caption for screen
// readers and one heading per column. Screens fill in only the rows.
import type { ReactNode } from "react";

/** A table titled `caption` (read out, not shown) with `columns` as its headings; "cards" tables stack on narrow screens. */
export function DataTable(props: { caption: ReactNode; columns: string[]; cards?: boolean; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={props.cards ? "cards" : undefined}>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
