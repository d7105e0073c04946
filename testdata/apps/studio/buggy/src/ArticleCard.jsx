import { Link } from 'react-router-dom';
import s from './ArticleCard.module.css';

// ArticleCard is one link around the whole card: a click anywhere on it,
// the heading included, opens the article.
export function ArticleCard({ article }) {
  return (
    <Link to={`/articles/${article.slug}`} className={s.card}>
      <h2 className={s.title}>{article.title}</h2>
      <p className={s.excerpt}>{article.excerpt}</p>
      <ul className={s.tags}>
        {article.tagList.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
    </Link>
  );
}

// ArticleList renders cards keyed by slug, so a new result set reuses the
// cards it shares with the old one.
export function ArticleList({ articles }) {
  return (
    <div className={s.list}>
      {articles.map((a) => (
        <ArticleCard key={a.slug} article={a} />
      ))}
    </div>
  );
}
