import { useState } from 'react';
import s from './TagInput.module.css';

// TagInput commits a tag with Enter: the tag becomes a chip and the field
// empties. Enter must not submit the surrounding form.
export function TagInput({ tags, onChange }) {
  const [draft, setDraft] = useState('');
  const onKeyDown = (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const tag = draft.trim().toLowerCase();
    if (tag && !tags.includes(tag)) onChange([...tags, tag]);
    setDraft('');
  };
  return (
    <div className={s.box}>
      <ul className={s.chips}>
        {tags.map((t) => (
          <li key={t} className={s.chip}>
            {t}
            <button type="button" aria-label={`Remove tag ${t}`} onClick={() => onChange(tags.filter((x) => x !== t))}>×</button>
          </li>
        ))}
      </ul>
      <input
        aria-label="Tags"
        placeholder="Add a tag and press Enter"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
