"""quizzer: terminal interview prep for recurrent networks.

The application package. It depends on ``question_bank`` (content) and ``lstm_engine`` (numbers), never the
reverse. Only the UI modules (``app``, ``screens``, ``widgets``) import Textual.
"""

__version__ = "0.1.0"
