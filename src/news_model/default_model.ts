/**
 * The default news model: DistilRoBERTa fine-tuned on financial news sentiment (Financial
 * PhraseBank), in the ONNX conversion transformers.js publishes. Kept apart from the classifier
 * so that reading the config does not load transformers.js.
 */
export const DEFAULT_NEWS_MODEL = "Xenova/distilroberta-finetuned-financial-news-sentiment-analysis";
