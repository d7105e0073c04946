import { Link } from 'react-router-dom';
import { ArticleList } from './ArticleCard.jsx';
import { useArticles } from './useArticles.js';
import f from './Form.module.css';
import s from './Page.module.css';

export function HomePage() {
  const { loading, articles } = useArticles('');
  return (
    <section>
      <div className={s.heading}>
        <h1>Your articles</h1>
        <Link to="/editor" className={f.primary}>Write an article</Link>
      </div>
      {loading ? <p className={s.muted}>Loading articles…</p> : <ArticleList articles={articles} />}
    </section>
  );
}
