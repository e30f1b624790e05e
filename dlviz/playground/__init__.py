"""The Playground: toy 2-D datasets, a learner-built MLP and a Streamlit-free live trainer."""
