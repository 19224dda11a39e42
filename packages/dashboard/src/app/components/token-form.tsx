// Shown when the server requires a read token (server.readTokens): asks for it once and keeps it in this
// browser's localStorage, then retries.
import { useState } from 'react';
import { setReadToken } from '../api/api-client';

/** A one-field form for the read token. */
export function TokenForm({ onSaved }: { onSaved: () => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      className="state state-error builder"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        setReadToken(token.trim());
        onSaved();
      }}
    >
      <span>This Lens server needs a read token.</span>
      <label>
        Read token
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Use token
      </button>
    </form>
  );
}
