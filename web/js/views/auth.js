// Sign up and log in. After either, the visitor goes back where they were
// heading (?next=#/checkout).
import { describeError } from '../api.js';
import { el, field, messageBox, showMessage } from '../dom.js';
import { logIn, signUp } from '../session.js';
import { navigate, setTitle } from '../app.js';

function destination(query) {
  const next = query.get('next') ?? '';
  return next.startsWith('#/') ? next : '#/';
}

function authForm(main, fields, submitText, context, action, query) {
  const message = messageBox();
  const button = el('button', { type: 'submit' }, submitText);
  const form = el('form', {
    onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        await action(new FormData(form));
        navigate(destination(query));
      } catch (error) {
        showMessage(message, 'error', describeError(error, context));
      } finally {
        button.disabled = false;
      }
    },
  }, fields, button);
  main.append(form, message);
}

export function showLogin(main, { query }) {
  setTitle(main, 'Log in');
  authForm(main, [
    field('E-mail', { type: 'email', name: 'email', autocomplete: 'username', required: true }),
    field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
  ], 'Log in', 'log in', (data) => logIn(data.get('email'), data.get('password')), query);
  main.append(el('p', {}, 'No account yet? ', el('a', { href: `#/signup?next=${encodeURIComponent(destination(query))}` }, 'Sign up')));
}

export function showSignup(main, { query }) {
  setTitle(main, 'Sign up');
  authForm(main, [
    field('Name', { type: 'text', name: 'name', autocomplete: 'name', required: true }),
    field('E-mail', { type: 'email', name: 'email', autocomplete: 'email', required: true }),
    field('Password (10 characters or more)', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 10 }),
  ], 'Create account', 'sign up', (data) => signUp(data.get('name'), data.get('email'), data.get('password')), query);
  main.append(el('p', {}, 'Already have an account? ', el('a', { href: `#/login?next=${encodeURIComponent(destination(query))}` }, 'Log in')));
}

// Renders a log-in prompt instead of a page that needs an account; returns
// true when the visitor is signed in.
export function requireLogin(main, user, here) {
  if (user) return true;
  main.append(el('p', {}, 'Please ', el('a', { href: `#/login?next=${encodeURIComponent(here)}` }, 'log in'), ' or ',
    el('a', { href: `#/signup?next=${encodeURIComponent(here)}` }, 'sign up'), ' first.'));
  return false;
}
