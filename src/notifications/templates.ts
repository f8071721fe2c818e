/** Message templates per language (en, fr, nl; English when the user's language has none). */
export type MessageKind = 'confirmation' | 'password_reset';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const T: Record<string, Record<MessageKind, { subject: string; text: (v: Record<string, string>) => string }>> = {
  en: {
    confirmation: {
      subject: 'Your confirmation code',
      text: (v) => `Your confirmation code is ${v.code}. It is valid for ${v.minutes} minutes.`,
    },
    password_reset: {
      subject: 'Reset your password',
      text: (v) =>
        `Use this code to reset your password: ${v.token}${v.link ? `\nOr open ${v.link}` : ''}\nIt is valid for ${v.minutes} minutes. If you did not ask for it, ignore this message.`,
    },
  },
  fr: {
    confirmation: {
      subject: 'Votre code de confirmation',
      text: (v) => `Votre code de confirmation est ${v.code}. Il est valable ${v.minutes} minutes.`,
    },
    password_reset: {
      subject: 'Réinitialisez votre mot de passe',
      text: (v) =>
        `Utilisez ce code pour réinitialiser votre mot de passe : ${v.token}${v.link ? `\nOu ouvrez ${v.link}` : ''}\nIl est valable ${v.minutes} minutes. Si vous ne l'avez pas demandé, ignorez ce message.`,
    },
  },
  nl: {
    confirmation: { subject: 'Uw bevestigingscode', text: (v) => `Uw bevestigingscode is ${v.code}. Hij is ${v.minutes} minuten geldig.` },
    password_reset: {
      subject: 'Stel uw wachtwoord opnieuw in',
      text: (v) =>
        `Gebruik deze code om uw wachtwoord opnieuw in te stellen: ${v.token}${v.link ? `\nOf open ${v.link}` : ''}\nHij is ${v.minutes} minuten geldig. Heeft u dit niet gevraagd, negeer dan dit bericht.`,
    },
  },
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMessage(
  kind: MessageKind,
  language: string | null | undefined,
  values: Record<string, string>,
  override?: { subject?: string; body?: string },
): RenderedMessage {
  const lang = (language ?? 'en').slice(0, 2).toLowerCase();
  const t = (T[lang] ?? T.en)[kind];
  const text = override?.body ? override.body.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => values[k] ?? '') : t.text(values);
  const html = `<!doctype html><html lang="${T[lang] ? lang : 'en'}"><body><p>${escape(text).replace(/\n/g, '<br>')}</p></body></html>`;
  return { subject: override?.subject ?? t.subject, text, html };
}
