// Message content: schemas and limits, personalisation, template variables, the Cloud API request
// builder and the preview model. Pure: no I/O. Only the public API is re-exported; the building blocks
// stay importable by path (`@wareach/core/message/<file>`).
export { MESSAGE_LIMITS, charCount } from './limits';
export type { MessageRecipient } from './recipient';
export type { RenderFailure, RenderFailureCode } from './render-failure';
export { formatValue, parsePlaceholders, renderText, renderWithDefaults, scanPlaceholders } from './placeholders';
export type { PlaceholderProblem, PlaceholderRef, PlaceholderSource, RenderTextOptions } from './placeholders';
export {
  TEMPLATE_HEADER_FORMATS,
  TEMPLATE_PARAMETER_FORMATS,
  substituteTemplateText,
  templateComponentSchema,
  templateDefinitionSchema,
  templateVariables,
} from './template-definition';
export type {
  TemplateButton,
  TemplateComponent,
  TemplateDefinition,
  TemplateHeaderFormat,
  TemplateParameterFormat,
} from './template-definition';
export { describeSlot, isNamedTemplate, parseTemplateSlots } from './template-slots';
export type { TemplateMediaFormat, TemplateSlot } from './template-slots';
export { templateBindingSchema, validateTemplateBindings } from './template-bindings';
export type { LocationBinding, MediaBinding, TemplateBinding, TemplateBindings, TextBinding } from './template-bindings';
export {
  MESSAGE_CONTENT_TYPES,
  buttonsContentSchema,
  ctaUrlContentSchema,
  documentContentSchema,
  imageContentSchema,
  listContentSchema,
  messageContentSchema,
  templateContentSchema,
  textContentSchema,
  videoContentSchema,
} from './content-schema';
export type {
  ButtonsContent,
  CtaUrlContent,
  DocumentContent,
  ImageContent,
  InteractiveHeader,
  ListContent,
  ListRow,
  ListSection,
  MediaContent,
  MessageContent,
  MessageContentType,
  ReplyButton,
  TemplateContent,
  TextContent,
  VideoContent,
} from './content-schema';
export { validateContent } from './validate-content';
export { renderContent } from './render-content';
export { renderTemplate } from './render-template';
export type { RenderedSlotValue, RenderedTemplate } from './render-template';
export type * from './cloud-api-types';
export { buildSendRequest } from './build-send-request';
export type { BuildSendRequestOptions } from './build-send-request';
export { contentNeedsProfile, contentReferences, isTemplateContent } from './content-references';
export { toPreview } from './preview';
export type { MessagePreview, PreviewButtonKind, PreviewHeaderKind } from './preview';
