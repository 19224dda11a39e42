// Automatic page views for single-page apps: one page() per change of URL (path or query; not the fragment),
// seen through the Navigation API where the browser has it, else by wrapping history.pushState/replaceState.

/**
 * Calls `onPageView` whenever the URL changes. Returns a function that stops watching.
 * @example const stop = watchPageViews(() => tracker.page());
 */
export function watchPageViews(onPageView: () => void): () => void {
  let last = withoutHash(location.href);
  const check = (): void => {
    const now = withoutHash(location.href);
    if (now === last) return;
    last = now;
    onPageView();
  };
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  if (nav) {
    nav.addEventListener('currententrychange', check);
    return () => nav.removeEventListener('currententrychange', check);
  }
  // Fallback: wrap the history methods (what every SDK does there), undone by the returned function.
  const { pushState, replaceState } = history;
  history.pushState = function (...args: Parameters<History['pushState']>) {
    pushState.apply(this, args);
    check();
  };
  history.replaceState = function (...args: Parameters<History['replaceState']>) {
    replaceState.apply(this, args);
    check();
  };
  addEventListener('popstate', check);
  return () => {
    history.pushState = pushState;
    history.replaceState = replaceState;
    removeEventListener('popstate', check);
  };
}

function withoutHash(href: string): string {
  const i = href.indexOf('#');
  return i < 0 ? href : href.slice(0, i);
}
