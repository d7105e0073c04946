import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from './api.js';
import { TagInput } from './TagInput.jsx';
import { useToast } from './toast.jsx';
import f from './Form.module.css';
import s from './Page.module.css';

function validate(title, body) {
  const errors = {};
  if (!title.trim()) errors.title = 'Give your article a title';
  if (!body.trim()) errors.body = 'Write something first';
  return errors;
}

// EditorPage writes a new article (/editor) or edits one (/editor/:slug).
export function EditorPage() {
  const { slug } = useParams();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState([]);
  const [errors, setErrors] = useState({});
  const navigate = useNavigate();
  const toast = useToast();

  useEffect(() => {
    setTitle('');
    setBody('');
    setTags([]);
    setErrors({});
    if (!slug) return;
    let live = true;
    api
      .article(slug)
      .then((res) => res.json())
      .then((data) => {
        if (!live || !data.article) return;
        setTitle(data.article.title);
        setBody(data.article.body);
        setTags(data.article.tagList);
      });
    return () => {
      live = false;
    };
  }, [slug]);

  const publish = async (e) => {
    e.preventDefault();
    const found = validate(title, body);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const res = await api.saveArticle(slug, { title: title.trim(), body, tagList: tags });
    const data = await res.json();
    if (!res.ok) {
      // 422 {"errors": {"title": ["has already been taken"]}}: show each
      // message under its field and sum them up in a toast.
      const fields = {};
      for (const [field, messages] of Object.entries(data.errors || {})) {
        fields[field] = `${field.charAt(0).toUpperCase()}${field.slice(1)} ${messages.join(', ')}`;
      }
      setErrors(fields);
      toast(Object.values(fields).join('. ') || `Could not save (HTTP ${res.status})`, 'error');
      return;
    }
    navigate(`/articles/${data.article.slug}`);
    toast(slug ? 'Changes saved' : 'Article published');
  };

  return (
    <form className={s.article} onSubmit={publish} noValidate aria-label="Article editor">
      <h1>{slug ? 'Edit article' : 'New article'}</h1>
      <label className={f.field}>
        <span>Title</span>
        <input aria-label="Title" placeholder="Article title" value={title} onChange={(e) => setTitle(e.target.value)} />
        {errors.title && <span className={f.error}>{errors.title}</span>}
      </label>
      <label className={f.field}>
        <span>Body</span>
        <textarea aria-label="Body" placeholder="Write your article…" value={body} onChange={(e) => setBody(e.target.value)} />
        {errors.body && <span className={f.error}>{errors.body}</span>}
      </label>
      <div className={f.field}>
        <span>Tags</span>
        <TagInput tags={tags} onChange={setTags} />
      </div>
      <div className={f.actions}>
        <button type="button" className={f.secondary} onClick={() => navigate(-1)}>Cancel</button>
        <button type="submit" className={f.primary}>{slug ? 'Save changes' : 'Publish'}</button>
      </div>
    </form>
  );
}
