import { useSearchParams } from 'react-router-dom';
import { ArticleList } from './ArticleCard.jsx';
import { useArticles } from './useArticles.js';
import s from './Page.module.css';

export function SearchPage() {
  const [params] = useSearchParams();
  const q = params.get('q') || '';
  const { loading, articles } = useArticles(q);
  return (
    <section>
      <h1>Search</h1>
      {loading ? (
        <p className={s.muted}>Searching…</p>
      ) : (
        <>
          <p className={s.muted}>
            {articles.length === 1 ? '1 article matches' : `${articles.length} articles match`} “{q}”
          </p>
          <ArticleList articles={articles} />
        </>
      )}
    </section>
  );
}
