// Toasts render through a portal at the end of <body>, outside the app's
// root, and go away after a few seconds.
import { createContext, useCallback, useContext, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import s from './Toast.module.css';

const ToastContext = createContext(() => {});

export function ToastProvider({ children }) {
  const [toasts, setToasts] = useState([]);
  const next = useRef(1);
  const show = useCallback((text, kind = 'info') => {
    const id = next.current++;
    setToasts((list) => [...list, { id, text, kind }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 4000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {createPortal(
        <div className={s.stack} role="status" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={t.kind === 'error' ? `${s.toast} ${s.error}` : s.toast}>
              {t.text}
            </div>
          ))}
        </div>,
        document.body,
      )}
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
