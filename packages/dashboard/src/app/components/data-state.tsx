// Loading, error and empty states, the same everywhere: a view wraps its content in <DataState> and only
// renders the happy path itself.
import type { ReactNode } from 'react';
import { ApiError } from '../api/api-client';
import type { ApiState } from '../api/use-api';
import { TokenForm } from './token-form';

/** Renders the right state for an ApiState; `children` gets the data once there is some. */
export function DataState<T>({
  state,
  isEmpty,
  empty,
  children,
}: {
  state: ApiState<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  // A 4xx is the current request's own answer (a bad query the user just ran): the data of an earlier request is
  // not shown under it as if it were the result (a 5xx or a network error while refreshing keeps it).
  const refused = state.error instanceof ApiError && state.error.status >= 400 && state.error.status < 500;
  if (state.error && (state.data === undefined || (refused && (state.error as ApiError).status !== 401))) {
    if (state.error instanceof ApiError && state.error.status === 401) return <TokenForm onSaved={state.reload} />;
    return (
      <div className="state state-error" role="alert">
        <strong>{refused ? 'Not answered:' : 'Could not load this.'}</strong>{' '}
        <span className="error-message">{state.error.message}</span>{' '}
        <button type="button" onClick={state.reload}>
          Retry
        </button>
      </div>
    );
  }
  if (state.data === undefined) {
    return state.loading ? (
      <div className="state state-loading" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    ) : null;
  }
  if (isEmpty?.(state.data)) return <div className="state state-empty">{empty ?? 'Nothing here yet.'}</div>;
  return (
    <>
      {state.error && (
        <div className="state state-error" role="alert">
          Refresh failed: {state.error.message}
        </div>
      )}
      {children(state.data)}
    </>
  );
}
