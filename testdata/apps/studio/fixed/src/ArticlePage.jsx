import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from './api.js';
import c from './ArticleCard.module.css';
import f from './Form.module.css';
import s from './Page.module.css';

export function ArticlePage() {
  const { slug } = useParams();
  const [article, setArticle] = useState(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let live = true;
    setArticle(null);
    api.article(slug).then(async (res) => {
      const data = await res.json();
      if (!live) return;
      if (res.ok) setArticle(data.article);
      else setMissing(true);
    });
    return () => {
      live = false;
    };
  }, [slug]);

  if (missing) return <p>This article does not exist. <Link to="/">Back to your articles</Link></p>;
  if (!article) return <p className={s.muted}>Loading…</p>;
  return (
    <article className={s.article}>
      <h1>{article.title}</h1>
      <div className={s.meta}>
        <span>By {article.author.name} · updated {new Date(article.updatedAt).toLocaleDateString('en-GB')}</span>
        <Link to={`/editor/${article.slug}`} className={f.secondary}>Edit</Link>
      </div>
      <div className={s.body}>
        {article.body.split('\n').filter(Boolean).map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      </div>
      <ul className={c.tags}>
        {article.tagList.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
    </article>
  );
}
