"""MLflow tracking: the MLflow REST API Azure ML serves to azureml-mlflow's plugin, answered
from the same run history, metrics and artifacts the SDK's own runs use."""
