import { useEffect, useState } from 'react';
import { Link, Route, Routes, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { ArticlePage } from './ArticlePage.jsx';
import { EditorPage } from './EditorPage.jsx';
import { HomePage } from './HomePage.jsx';
import { LoginPage } from './LoginPage.jsx';
import { SearchPage } from './SearchPage.jsx';
import { RequireUser, SessionProvider, useSession } from './session.jsx';
import { ToastProvider } from './toast.jsx';
import s from './App.module.css';

export function App() {
  return (
    <SessionProvider>
      <ToastProvider>
        <TopBar />
        <main className={s.main}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/" element={<RequireUser><HomePage /></RequireUser>} />
            <Route path="/search" element={<RequireUser><SearchPage /></RequireUser>} />
            <Route path="/articles/:slug" element={<RequireUser><ArticlePage /></RequireUser>} />
            <Route path="/editor" element={<RequireUser><EditorPage /></RequireUser>} />
            <Route path="/editor/:slug" element={<RequireUser><EditorPage /></RequireUser>} />
            <Route path="*" element={<p>Nothing here. <Link to="/">Back to your articles</Link></p>} />
          </Routes>
        </main>
      </ToastProvider>
    </SessionProvider>
  );
}

function TopBar() {
  const { user } = useSession();
  return (
    <header className={s.bar}>
      <Link to="/" className={s.brand}>Studio</Link>
      {user && (
        <>
          <nav className={s.nav} aria-label="Main">
            <Link to="/">Articles</Link>
            <Link to="/editor">New article</Link>
          </nav>
          <SearchBox />
          <span className={s.user}>{user.name}</span>
        </>
      )}
    </header>
  );
}

// SearchBox has no button: Enter submits. It shows the query of /search and
// is empty everywhere else.
function SearchBox() {
  const location = useLocation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const current = location.pathname === '/search' ? params.get('q') || '' : '';
  const [q, setQ] = useState(current);
  useEffect(() => setQ(current), [current]);

  const submit = (e) => {
    e.preventDefault();
    const term = q.trim();
    if (term) navigate(`/search?q=${encodeURIComponent(term)}`);
  };
  return (
    <form className={s.search} role="search" onSubmit={submit}>
      <input
        type="search"
        aria-label="Search articles"
        placeholder="Search articles"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
    </form>
  );
}
