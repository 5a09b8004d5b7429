import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {} as const;

export const broadcastsMessages: FeatureMessages<typeof en> = { en, de: {}, fr: {}, pl: {} };
