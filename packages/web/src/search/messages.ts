import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {} as const;

export const searchMessages: FeatureMessages<typeof en> = { en, de: {}, fr: {}, pl: {} };
