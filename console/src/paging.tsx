// Long lists grow a page at a time ("Show more") instead of paging by cursor: the console
// asks for the first N rows again with a larger N.

/** Rows per step of "Show more". */
export const PAGE = 50;

/** The API answers at most this many rows at once, so a list stops growing there. */
const API_LIMIT = 1000;

/** A "Show more" button while the API has more rows and `first` may still grow; asks for `first + PAGE`. */
export function ShowMore(props: { hasNextPage: boolean | undefined; first: number; fetching: boolean; setFirst: (first: number) => void }) {
  if (!props.hasNextPage || props.first >= API_LIMIT) return null;
  return (
    <button type="button" onClick={() => props.setFirst(props.first + PAGE)} disabled={props.fetching}>
      Show more
    </button>
  );
}
