/** Who is signed in: the key and its scope, kept in this tab's sessionStorage only (gone when the tab closes). */
export type Scope = 'tenant' | 'admin';
export interface Session {
  key: string;
  scope: Scope;
  /** The tenant or admin id the server named, shown instead of the key. */
  label: string;
}

const STORAGE_KEY = 'conveyor.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
