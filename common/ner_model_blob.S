/* The trained entity-tagger model, embedded in the binary so that the
   programs and tests need no model path. NEWS_NER_MODEL_FILE is the quoted
   path of common/model/ner.model.zst, set by common/CMakeLists.txt. */
    .section .rodata
    .global news_ner_model_begin
    .global news_ner_model_end
    .balign 16
news_ner_model_begin:
    .incbin NEWS_NER_MODEL_FILE
news_ner_model_end:
    .byte 0
    .section .note.GNU-stack,"",@progbits
