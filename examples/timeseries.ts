/**
 * Forecasting a noisy sine wave with an LSTM: from the last 24 values, predict the next one.
 * Prints the training and validation loss (MSE) after every epoch, and compares the model
 * with the naive forecast "next = last".
 *
 *   node dist/examples/timeseries.js [epochs]
 */
import * as my from 'myelin';

const epochs = Number(process.argv[2] ?? 20);
const window = 24;
my.setSeed(7);

// 1,200 points of sin(t / 8) plus Gaussian noise (sd 0.1), from a seeded generator.
const noise = my.randomNormal([1200], 0, 0.1, 'float32', 7).dataSync();
const series = Array.from({ length: 1200 }, (_, t) => Math.sin(t / 8) + noise[t]);

// Sliding windows; the first 80% of the series trains, the rest (later in time) validates.
const starts = Array.from({ length: series.length - window }, (_, i) => i);
const xs = my.tensor(
  starts.flatMap((s) => series.slice(s, s + window)),
  [starts.length, window, 1],
);
const ys = my.tensor(
  starts.map((s) => series[s + window]),
  [starts.length, 1],
);
const cut = Math.floor(starts.length * 0.8);
const [xTrain, xVal] = my.split(xs, [cut, -1], 0);
const [yTrain, yVal] = my.split(ys, [cut, -1], 0);

const model = my.sequential({
  layers: [my.layers.lstm({ units: 16, inputShape: [window, 1] }), my.layers.dense({ units: 1 })],
});
model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 32,
  validationData: [xVal, yVal],
  verbose: 0,
  callbacks: [
    {
      onEpochEnd: (epoch, logs) =>
        console.log(
          `epoch ${epoch + 1}: train loss ${logs?.loss.toFixed(4)}, validation loss ${logs?.val_loss.toFixed(4)}`,
        ),
    },
  ],
});

const naive = my.mean(my.square(my.sub(yVal, my.slice(xVal, [0, window - 1, 0], [-1, 1, 1]).reshape([-1, 1])))).item();
const lstm = (model.evaluate(xVal, yVal) as my.Tensor).item();
console.log(
  `validation MSE: LSTM ${lstm.toFixed(4)}, naive last-value forecast ${naive.toFixed(4)} (noise floor 0.0100)`,
);
