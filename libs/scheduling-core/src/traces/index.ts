export * from './alibaba2017.trace';
export * from './duration-estimator';
export * from './synthetic.trace';
