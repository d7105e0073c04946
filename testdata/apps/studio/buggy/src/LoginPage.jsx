import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { api } from './api.js';
import { useSession } from './session.jsx';
import { useToast } from './toast.jsx';
import f from './Form.module.css';
import s from './LoginPage.module.css';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// validate checks the form before anything is sent.
function validate(email, password) {
  const errors = {};
  if (!email.trim()) errors.email = 'Enter your email';
  else if (!EMAIL.test(email.trim())) errors.email = 'Enter a valid email address';
  if (!password) errors.password = 'Enter your password';
  return errors;
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const { signIn } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const location = useLocation();

  const submit = async (e) => {
    e.preventDefault();
    const found = validate(email, password);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const res = await api.login(email.trim(), password);
    const data = await res.json();
    setBusy(false);
    if (!res.ok) {
      setErrors({ form: 'That email and password do not match.' });
      return;
    }
    signIn(data.user, data.user.token);
    toast(`Welcome back, ${data.user.name}`);
    navigate(location.state?.from || '/', { replace: true });
  };

  return (
    <form className={s.card} onSubmit={submit} noValidate aria-label="Sign in">
      <h1>Sign in to Studio</h1>
      <label className={f.field}>
        <span>Email</span>
        <input type="email" name="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        {errors.email && <span className={f.error}>{errors.email}</span>}
      </label>
      <label className={f.field}>
        <span>Password</span>
        <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        {errors.password && <span className={f.error}>{errors.password}</span>}
      </label>
      {errors.form && <p className={f.error} role="alert">{errors.form}</p>}
      <button type="submit" className={f.primary} disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
