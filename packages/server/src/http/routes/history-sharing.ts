import {
  ConversationDetail,
  ConversationIdSchema,
  HistoryShareRecorded,
  RecordHistoryShareRequest,
  SetHistoryForNewcomersRequest,
  StrictObject,
} from '@enlets/protocol';
import { recordHistoryShare, setHistoryForNewcomers } from '../../domain/actions/history-sharing.js';
import { getConversationDetail } from '../../domain/queries/conversations.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ConversationParams = StrictObject({ id: ConversationIdSchema });
const tags = ['conversations'];

/** History for newcomers (docs/decisions/0016-history-for-newcomers.md): the setting and the share records. */
export function historySharingRoutes(app: App, services: Services): void {
  app.put(
    '/conversations/:id/history-for-newcomers',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Whether members may share earlier messages with newcomers (owner and managers; audited)',
        params: ConversationParams,
        body: SetHistoryForNewcomersRequest,
        response: { 200: ConversationDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await setHistoryForNewcomers(services, actor, request.params.id, request.body.historyForNewcomers);
      return getConversationDetail(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/history-shares',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary:
          'Record that your device shares earlier messages with a newcomer (audited; refused while the setting is off)',
        params: ConversationParams,
        body: RecordHistoryShareRequest,
        response: { 200: HistoryShareRecorded },
      },
    },
    (request) => recordHistoryShare(services, actorOf(request), request.params.id, request.body),
  );
}
