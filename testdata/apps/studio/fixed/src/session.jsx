// The signed-in user, kept in memory for the tab's life.
import { createContext, useContext, useState } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { setToken } from './api.js';

const SessionContext = createContext(null);

export function SessionProvider({ children }) {
  const [user, setUser] = useState(null);
  const signIn = (u, token) => {
    setToken(token);
    setUser(u);
  };
  return <SessionContext.Provider value={{ user, signIn }}>{children}</SessionContext.Provider>;
}

export function useSession() {
  return useContext(SessionContext);
}

// RequireUser sends visitors who are not signed in to /login, remembering
// where they wanted to go.
export function RequireUser({ children }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return children;
}
