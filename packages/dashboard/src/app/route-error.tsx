// What a broken or unknown URL shows: the reason and a way back, inside the shell when possible.
import { Link, useRouteError } from 'react-router';

/** Route-level error element; `notFound` for the catch-all route. */
export function RouteError({ notFound }: { notFound?: boolean }) {
  const error = useRouteError() as Error | undefined;
  return (
    <div className="page">
      <div className="state state-error" role="alert">
        <h1>{notFound ? 'No such page' : 'Something went wrong'}</h1>
        {!notFound && <p className="error-message">{error?.message ?? String(error)}</p>}
        <p>
          <Link to="/realtime">Back to Realtime</Link>
        </p>
      </div>
    </div>
  );
}
