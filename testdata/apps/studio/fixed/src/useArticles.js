import { useEffect, useState } from 'react';
import { api } from './api.js';

// useArticles loads the article list (all, or those matching q).
export function useArticles(q) {
  const [state, setState] = useState({ loading: true, articles: [] });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api
      .articles(q)
      .then((res) => res.json())
      .then((data) => {
        if (live) setState({ loading: false, articles: data.articles || [] });
      });
    return () => {
      live = false;
    };
  }, [q]);
  return state;
}
